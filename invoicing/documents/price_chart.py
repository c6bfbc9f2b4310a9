"""A bar chart of the prices a house was charged per local day (break-even months), as inline SVG.

Pure: Decimal in, str out. Drawn like ``charts.daily_energy_svg`` (same width, axis and escaping),
lower: one pair of bars per day, the delivery price (p_pv) left and the consumption price (p_con)
right; a day without such energy has no bar.
"""

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from .charts import (
    BAR_GAP_SHARE,
    EXPORTED_COLOUR,
    IMPORTED_COLOUR,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    WIDTH,
    ZERO,
    _grid,
    _require_decimal,
    nice_maximum,
    svg_number,
)

HEIGHT = Decimal("110")
PLOT_BOTTOM = Decimal("18")


def _value(name: str, value) -> Decimal | None:
    return None if value is None else abs(_require_decimal(name, value))


def _bar(css_class: str, x: Decimal, value: Decimal | None, *, width, baseline, scale, colour) -> str:
    if value is None:
        return ""
    height = value * scale
    return (
        f'<rect class="{css_class}" x="{svg_number(x)}" y="{svg_number(baseline - height)}" '
        f'width="{svg_number(width)}" height="{svg_number(height)}" fill="{colour}"/>'
    )


def daily_prices_svg(days: Sequence, *, title: str, font_family: str = "sans-serif") -> str:
    """``days``: objects with ``day``, ``p_pv_ct_per_kwh`` and ``p_con_ct_per_kwh`` (Decimal or None)."""
    values = [
        (
            entry.day,
            _value("p_pv_ct_per_kwh", entry.p_pv_ct_per_kwh),
            _value("p_con_ct_per_kwh", entry.p_con_ct_per_kwh),
        )
        for entry in days
    ]
    top = nice_maximum(max((value for _, *pair in values for value in pair if value is not None), default=ZERO))
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = HEIGHT - PLOT_TOP - PLOT_BOTTOM
    baseline = PLOT_TOP + plot_height
    slot = plot_width / max(len(values), 1)
    bar = slot * (1 - BAR_GAP_SHARE) / 2
    scale = plot_height / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart price-chart" width="{svg_number(WIDTH)}" '
        f'height="{svg_number(HEIGHT)}" viewBox="0 0 {svg_number(WIDTH)} {svg_number(HEIGHT)}" '
        f'font-family={quoteattr(font_family)} role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        *_grid(top=top, plot_height=plot_height, baseline=baseline),
        '<g class="days">',
    ]
    for index, (day, p_pv, p_con) in enumerate(values):
        x = PLOT_LEFT + slot * index + slot * BAR_GAP_SHARE / 2
        bars = dict(width=bar, baseline=baseline, scale=scale)
        parts.append(
            f'<g class="day" data-day="{day.isoformat()}">'
            + _bar("p-pv", x, p_pv, colour=EXPORTED_COLOUR, **bars)
            + _bar("p-con", x + bar, p_con, colour=IMPORTED_COLOUR, **bars)
            + "</g>"
        )
    parts.append('</g><g class="ticks" font-size="8" fill="#333" text-anchor="middle">')
    for index, (day, _, _) in enumerate(values):
        if index % 7 == 0:
            x = PLOT_LEFT + slot * index + slot / 2
            parts.append(f'<text x="{svg_number(x)}" y="{svg_number(HEIGHT - 6)}">{escape(str(day.day))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
