"""The community statement's charts as inline SVG, drawn on the server. Pure: Decimal in, str out.

Two charts per period: the energy flows per day (houses' export and import, grid delivery and
consumption side by side) and the community result per day in euros (bars above or below zero).
"""

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext, gettext_lazy

from core import local_format

from ..settlement import Settlement
from .charts import nice_maximum, svg_number

WIDTH = Decimal("760")
HEIGHT = Decimal("220")
LEFT = Decimal("52")
RIGHT = Decimal("8")
TOP = Decimal("26")
BOTTOM = Decimal("20")
GAP_SHARE = Decimal("0.2")
ZERO = Decimal("0")

ENERGY_SERIES = (
    (gettext_lazy("Houses' export"), "#2e8b57", lambda value: value.flows.exported_kwh),
    (gettext_lazy("Houses' import"), "#c0504d", lambda value: value.flows.imported_kwh),
    (gettext_lazy("Grid delivery"), "#4f81bd", lambda value: value.flows.grid_delivery_kwh),
    (gettext_lazy("Grid consumption"), "#f79646", lambda value: value.flows.grid_consumption_kwh),
)
GAIN_COLOUR, LOSS_COLOUR = "#2e8b57", "#c0504d"


def _open(title: str, font_family: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="statement-chart" width="{svg_number(WIDTH)}" '
        f'height="{svg_number(HEIGHT)}" viewBox="0 0 {svg_number(WIDTH)} {svg_number(HEIGHT)}" '
        f'font-family={quoteattr(font_family)} font-size="10" role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        f'<text x="{svg_number(LEFT)}" y="12" font-weight="bold">{escape(title)}</text>',
    ]


def _day_ticks(days: Sequence[dt.date], slot: Decimal) -> list[str]:
    parts = ['<g class="ticks" fill="#333" text-anchor="middle">']
    for index, day in enumerate(days):
        if index % 7 == 0 or index == len(days) - 1:
            x = LEFT + slot * index + slot / 2
            parts.append(f'<text x="{svg_number(x)}" y="{svg_number(HEIGHT - 6)}">{day.day}</text>')
    parts.append("</g>")
    return parts


def _grid_line(y: Decimal, label: str) -> list[str]:
    return [
        f'<line x1="{svg_number(LEFT)}" y1="{svg_number(y)}" x2="{svg_number(WIDTH - RIGHT)}" '
        f'y2="{svg_number(y)}" stroke="#999" stroke-width="0.5"/>',
        f'<text x="{svg_number(LEFT - 4)}" y="{svg_number(y + 3)}" text-anchor="end" fill="#333">{escape(label)}</text>',
    ]


def energy_per_day_svg(
    days: Sequence[tuple[dt.date, Settlement]], *, language: str, font_family: str = "sans-serif"
) -> str:
    """Grouped bars per day: houses' export and import, grid delivery and consumption (kWh).

    ``language``: of the figures in each bar's title (the page's). ``font_family``: in a PDF, the
    shipped font (an SVG does not inherit the page's).
    """
    title = gettext("Energy per day (kWh)")
    top = nice_maximum(max((series(value) for _, value in days for _, _, series in ENERGY_SERIES), default=ZERO))
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = slot * (1 - GAP_SHARE) / len(ENERGY_SERIES)

    parts = _open(title, font_family)
    for share in (ZERO, Decimal("0.5"), Decimal("1")):
        parts += _grid_line(baseline - plot_height * share, format((top * share).normalize(), "f"))
    for index, (day, value) in enumerate(days):
        x = LEFT + slot * index + slot * GAP_SHARE / 2
        parts.append(f'<g class="day" data-day="{day.isoformat()}">')
        for position, (label, colour, series) in enumerate(ENERGY_SERIES):
            height = plot_height * series(value) / top
            parts.append(
                f'<rect x="{svg_number(x + bar * position)}" y="{svg_number(baseline - height)}" '
                f'width="{svg_number(bar)}" height="{svg_number(height)}" fill="{colour}">'
                f"<title>{day.isoformat()} {escape(str(label))}: {local_format.energy(series(value), language)}</title></rect>"
            )
        parts.append("</g>")
    parts += _day_ticks([day for day, _ in days], slot)
    legend_x = WIDTH - RIGHT - Decimal("420")
    for position, (label, colour, _) in enumerate(ENERGY_SERIES):
        x = legend_x + Decimal("105") * position
        parts.append(f'<rect x="{svg_number(x)}" y="4" width="9" height="9" fill="{colour}"/>')
        parts.append(f'<text x="{svg_number(x + 12)}" y="12">{escape(str(label))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def result_per_day_svg(
    days: Sequence[tuple[dt.date, Settlement]], *, language: str, font_family: str = "sans-serif"
) -> str:
    """The community result per day in EUR: gains above the zero line, losses below."""
    title = gettext("Community result per day (EUR)")
    results = [(day, value.community_result_ct / 100, value.community_result_ct) for day, value in days]
    reach = nice_maximum(max((abs(result) for _, result, _ in results), default=ZERO))
    plot_height = HEIGHT - TOP - BOTTOM
    middle = TOP + plot_height / 2
    half = plot_height / 2
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = slot * (1 - GAP_SHARE)

    parts = _open(title, font_family)
    for share in (Decimal("1"), ZERO, Decimal("-1")):
        parts += _grid_line(middle - half * share, format((reach * share).normalize(), "f"))
    for index, (day, result, result_ct) in enumerate(results):
        height = half * abs(result) / reach
        y = middle - height if result >= 0 else middle
        colour = GAIN_COLOUR if result >= 0 else LOSS_COLOUR
        parts.append(
            f'<rect class="day" data-day="{day.isoformat()}" x="{svg_number(LEFT + slot * index + slot * GAP_SHARE / 2)}" '
            f'y="{svg_number(y)}" width="{svg_number(bar)}" height="{svg_number(height)}" fill="{colour}">'
            f"<title>{day.isoformat()}: {escape(local_format.money(result_ct, language))}</title></rect>"
        )
    parts += _day_ticks([day for day, _ in days], slot)
    parts.append("</svg>")
    return "".join(parts)
