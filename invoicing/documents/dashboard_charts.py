"""The admin dashboard's charts of a community's last months, as inline SVG drawn on the server.

Pure: Decimal in, str out, no float. Inline SVG needs no script, no static file and no external
origin, so the admin's Content Security Policy stays as strict as Django ships it.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext

from core.formatting import eur, kwh

from .charts import nice_maximum, svg_number

WIDTH = Decimal("600")
HEIGHT = Decimal("180")
LEFT = Decimal("52")
RIGHT = Decimal("8")
TOP = Decimal("26")
BOTTOM = Decimal("20")
GAP_SHARE = Decimal("0.2")
ZERO = Decimal("0")
CENTS_PER_EURO = Decimal("100")
GAIN_COLOUR, LOSS_COLOUR = "#2e8b57", "#c0504d"


class MonthValues(Protocol):
    month: str
    exported_kwh: Decimal
    imported_kwh: Decimal
    grid_delivery_kwh: Decimal | None
    grid_consumption_kwh: Decimal | None
    community_result_ct: Decimal | None


def energy_series():
    """``(css class, label, colour, value of a month)``: production and consumption of the houses,
    then what the community exported to and imported from the grid (``None`` while the month is open)."""
    return (
        ("production", gettext("Production"), "#2e8b57", lambda month: month.exported_kwh),
        ("consumption", gettext("Consumption"), "#c0504d", lambda month: month.imported_kwh),
        ("grid-export", gettext("Grid export"), "#4f81bd", lambda month: month.grid_delivery_kwh),
        ("grid-import", gettext("Grid import"), "#f79646", lambda month: month.grid_consumption_kwh),
    )


def _open(title: str, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dashboard-chart {css_class}" width="{svg_number(WIDTH)}" '
        f'height="{svg_number(HEIGHT)}" viewBox="0 0 {svg_number(WIDTH)} {svg_number(HEIGHT)}" '
        f'font-family="sans-serif" font-size="10" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<text x="{svg_number(LEFT)}" y="12" font-weight="bold" fill="currentColor">{escape(title)}</text>',
    ]


def _grid_line(y: Decimal, label: Decimal) -> list[str]:
    return [
        f'<line x1="{svg_number(LEFT)}" y1="{svg_number(y)}" x2="{svg_number(WIDTH - RIGHT)}" '
        f'y2="{svg_number(y)}" stroke="#999" stroke-width="0.5"/>',
        f'<text x="{svg_number(LEFT - 4)}" y="{svg_number(y + 3)}" text-anchor="end" fill="currentColor">'
        f"{escape(format(label.normalize(), 'f'))}</text>",
    ]


def _month_ticks(months: Sequence[MonthValues], slot: Decimal) -> list[str]:
    """``MM/YY`` under each month: twelve short labels fit side by side."""
    parts = ['<g class="ticks" fill="currentColor" text-anchor="middle">']
    for index, month in enumerate(months):
        x = LEFT + slot * index + slot / 2
        parts.append(
            f'<text x="{svg_number(x)}" y="{svg_number(HEIGHT - 6)}">{month.month[5:]}/{month.month[2:4]}</text>'
        )
    parts.append("</g>")
    return parts


def monthly_energy_svg(months: Sequence[MonthValues]) -> str:
    """Grouped bars per month (kWh): production, consumption, grid export, grid import.

    A month without grid figures (still open) draws its two house bars only.
    """
    series = energy_series()
    title = gettext("Energy per month (kWh)")
    values = [value(month) for month in months for _, _, _, value in series if value(month) is not None]
    top = nice_maximum(max(values, default=ZERO))
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    bar = slot * (1 - GAP_SHARE) / len(series)

    parts = _open(title, "energy")
    for share in (ZERO, Decimal("0.5"), Decimal("1")):
        parts += _grid_line(baseline - plot_height * share, top * share)
    for index, month in enumerate(months):
        x = LEFT + slot * index + slot * GAP_SHARE / 2
        parts.append(f'<g class="month" data-month="{month.month}">')
        for position, (css_class, label, colour, value) in enumerate(series):
            energy_kwh = value(month)
            if energy_kwh is None:
                continue
            height = plot_height * energy_kwh / top
            parts.append(
                f'<rect class="{css_class}" x="{svg_number(x + bar * position)}" y="{svg_number(baseline - height)}" '
                f'width="{svg_number(bar)}" height="{svg_number(height)}" fill="{colour}">'
                f"<title>{month.month} {escape(str(label))}: {kwh(energy_kwh)}</title></rect>"
            )
        parts.append("</g>")
    parts += _month_ticks(months, slot)
    for position, (_, label, colour, _) in enumerate(series):
        x = WIDTH - RIGHT - Decimal("330") + Decimal("84") * position
        parts.append(f'<rect x="{svg_number(x)}" y="4" width="9" height="9" fill="{colour}"/>')
        parts.append(f'<text x="{svg_number(x + 12)}" y="12" fill="currentColor">{escape(str(label))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def monthly_result_svg(months: Sequence[MonthValues]) -> str:
    """The community result per closed month in EUR: gains above the zero line, losses below."""
    title = gettext("Community result per month (EUR)")
    results = [
        (month, None if month.community_result_ct is None else month.community_result_ct / CENTS_PER_EURO)
        for month in months
    ]
    reach = nice_maximum(max((abs(result) for _, result in results if result is not None), default=ZERO))
    plot_height = HEIGHT - TOP - BOTTOM
    middle = TOP + plot_height / 2
    half = plot_height / 2
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    bar = slot * (1 - GAP_SHARE)

    parts = _open(title, "result")
    for share in (Decimal("1"), ZERO, Decimal("-1")):
        parts += _grid_line(middle - half * share, reach * share)
    for index, (month, result) in enumerate(results):
        if result is None:
            continue
        height = half * abs(result) / reach
        parts.append(
            f'<rect class="month" data-month="{month.month}" x="{svg_number(LEFT + slot * index + slot * GAP_SHARE / 2)}" '
            f'y="{svg_number(middle - height if result >= 0 else middle)}" width="{svg_number(bar)}" '
            f'height="{svg_number(height)}" fill="{GAIN_COLOUR if result >= 0 else LOSS_COLOUR}">'
            f"<title>{month.month}: {escape(eur(month.community_result_ct))}</title></rect>"
        )
    parts += _month_ticks(months, slot)
    parts.append("</svg>")
    return "".join(parts)
