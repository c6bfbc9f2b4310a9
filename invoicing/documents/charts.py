"""A bar chart of a house's daily exported and imported energy, as inline SVG. Pure: Decimal in, str out.

Drawn by hand rather than with a plotting library: the chart is 31 pairs of rectangles, and
every element WeasyPrint has to lay out costs render time (2,000 PDFs per close), so it carries
as few elements as possible: one ``<g>`` per day with its two bars, three grid lines and a
handful of labels. Coordinates are Decimal, quantized to 0.1 user units; no float anywhere.
"""

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

ZERO = Decimal("0")
COORDINATE_STEP = Decimal("0.1")
NICE_STEPS = (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"), Decimal("10"))

# Geometry in SVG user units (1 unit = 1 CSS px in WeasyPrint); fits an A4 text column of 170 mm.
WIDTH = Decimal("640")
HEIGHT = Decimal("170")
# Beside the break-even price chart, so that both, the bank details and a legal note fit one A4 page.
COMPACT_HEIGHT = Decimal("100")
PLOT_LEFT = Decimal("44")
PLOT_RIGHT = Decimal("6")
PLOT_TOP = Decimal("8")
PLOT_BOTTOM = Decimal("18")
BAR_GAP_SHARE = Decimal("0.2")  # of a day's slot, left blank between days

EXPORTED_COLOUR = "#2e8b57"
IMPORTED_COLOUR = "#c0504d"


class DailyValues(Protocol):
    day: dt.date
    exported_kwh: Decimal
    imported_kwh: Decimal


def _require_decimal(name: str, value) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}; the chart never goes through float.")
    if not value.is_finite():
        raise ValueError(f"{name} must be finite, not {value}.")
    return value


def svg_number(value: Decimal) -> str:
    """A coordinate as SVG text: 0.1 units, no exponent, no trailing zeros ("12.5", "40")."""
    text = format(value.quantize(COORDINATE_STEP, rounding=ROUND_HALF_UP), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_maximum(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 x 10^k that is at least ``value`` (1 for zero): a readable axis top."""
    _require_decimal("value", value)
    if value <= ZERO:
        return Decimal("1")
    magnitude = Decimal(1).scaleb(value.adjusted())  # 10^floor(log10(value)), exact
    for step in NICE_STEPS:
        candidate = step * magnitude
        if candidate >= value:
            return candidate.normalize() if candidate == candidate.to_integral_value() else candidate
    raise AssertionError("unreachable: 10 x magnitude always exceeds value")  # pragma: no cover


def _axis_label(value: Decimal) -> str:
    # Axis ticks are nice numbers; show them without exponent ("2E+1" would read as nonsense).
    return format(value.normalize(), "f")


def _grid(*, top: Decimal, plot_height: Decimal, baseline: Decimal) -> list[str]:
    """Three horizontal grid lines (zero, half, top) and their kWh labels."""
    shares = (ZERO, Decimal("0.5"), Decimal("1"))
    parts = ['<g class="axis" stroke="#999" stroke-width="0.5">']
    for share in shares:
        y = svg_number(baseline - plot_height * share)
        parts.append(f'<line x1="{svg_number(PLOT_LEFT)}" y1="{y}" x2="{svg_number(WIDTH - PLOT_RIGHT)}" y2="{y}"/>')
    parts.append("</g>")
    parts.append('<g class="labels" font-size="8" fill="#333" text-anchor="end">')
    for share in shares:
        y = svg_number(baseline - plot_height * share + 3)
        parts.append(f'<text x="{svg_number(PLOT_LEFT - 4)}" y="{y}">{escape(_axis_label(top * share))}</text>')
    parts.append("</g>")
    return parts


def _magnitudes(days: Sequence[DailyValues]) -> list[tuple]:
    return [
        (
            entry.day,
            abs(_require_decimal("exported_kwh", entry.exported_kwh)),
            abs(_require_decimal("imported_kwh", entry.imported_kwh)),
        )
        for entry in days
    ]


def daily_energy_svg(
    days: Sequence[DailyValues],
    *,
    title: str = "Daily energy (kWh)",
    font_family: str = "sans-serif",
    height: Decimal = HEIGHT,
) -> str:
    """The chart as a standalone ``<svg>`` element (a string, already escaped).

    One ``<g class="day">`` per entry of ``days``, in the given order, each with an exported bar
    (left, ``class="exported"``) and an imported bar (right, ``class="imported"``). Bars show
    the magnitude of the energy, so a cancellation's negated values draw like the original's.
    ``font_family`` names the labels' font: an SVG in WeasyPrint does not inherit the page's font,
    and falling back to a system font would embed a third font in every PDF. ``height`` (same units
    as the width, 640) is lower when the page holds a second chart.
    """
    values = _magnitudes(days)
    top = nice_maximum(max((max(exported, imported) for _, exported, imported in values), default=ZERO))
    plot_width = WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_height = height - PLOT_TOP - PLOT_BOTTOM
    baseline = PLOT_TOP + plot_height
    slot = plot_width / max(len(values), 1)
    bar = slot * (1 - BAR_GAP_SHARE) / 2

    def height_of(kwh: Decimal) -> Decimal:
        return plot_height * kwh / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{svg_number(WIDTH)}" '
        f'height="{svg_number(height)}" viewBox="0 0 {svg_number(WIDTH)} {svg_number(height)}" '
        f'font-family={quoteattr(font_family)} role="img" aria-label={quoteattr(title)}>',
        f"<title>{escape(title)}</title>",
        *_grid(top=top, plot_height=plot_height, baseline=baseline),
        '<g class="days">',
    ]
    for index, (day, exported, imported) in enumerate(values):
        x = PLOT_LEFT + slot * index + slot * BAR_GAP_SHARE / 2
        exported_height = height_of(exported)
        imported_height = height_of(imported)
        parts.append(
            f'<g class="day" data-day="{day.isoformat()}">'
            f'<rect class="exported" x="{svg_number(x)}" y="{svg_number(baseline - exported_height)}" '
            f'width="{svg_number(bar)}" height="{svg_number(exported_height)}" fill="{EXPORTED_COLOUR}"/>'
            f'<rect class="imported" x="{svg_number(x + bar)}" y="{svg_number(baseline - imported_height)}" '
            f'width="{svg_number(bar)}" height="{svg_number(imported_height)}" fill="{IMPORTED_COLOUR}"/>'
            "</g>"
        )
    parts.append("</g>")
    # Label the first day and every 7th after it: enough to read dates off, few text runs to lay out.
    parts.append('<g class="ticks" font-size="8" fill="#333" text-anchor="middle">')
    for index, (day, _, _) in enumerate(values):
        if index % 7 == 0:
            x = PLOT_LEFT + slot * index + slot / 2
            parts.append(f'<text x="{svg_number(x)}" y="{svg_number(height - 6)}">{escape(str(day.day))}</text>')
    parts.append("</g></svg>")
    return "".join(parts)


__all__ = ["COMPACT_HEIGHT", "DailyValues", "daily_energy_svg", "nice_maximum", "svg_number"]
