"""The daily energy chart: well-formed SVG, one bar pair per day, Decimal-only scaling. No database."""

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

import pytest

from invoicing.documents.charts import daily_energy_svg, nice_maximum

SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Day:
    day: dt.date
    exported_kwh: object
    imported_kwh: object


def october(exported=Decimal("4.25"), imported=Decimal("1.5")):
    first = dt.date(2026, 10, 1)
    return [Day(first + dt.timedelta(days=i), exported + i, imported + i % 5) for i in range(31)]


def bars(svg: str):
    root = ET.fromstring(svg)
    return root, root.findall(f".//{SVG}g[@class='day']")


def test_chart_is_well_formed_svg_with_one_bar_pair_per_day():
    # Given 31 local days of energy
    days = october()

    # When the chart is drawn
    root, day_groups = bars(daily_energy_svg(days))

    # Then it parses as SVG and has one group per day, each with an exported and an imported bar
    assert root.tag == f"{SVG}svg"
    assert [group.get("data-day") for group in day_groups] == [entry.day.isoformat() for entry in days]
    for group in day_groups:
        assert [rect.get("class") for rect in group.findall(f"{SVG}rect")] == ["exported", "imported"]


def test_tallest_bar_fills_the_nice_axis_maximum():
    # Given a largest value of 34.25 kWh, the axis tops out at 50
    days = october()
    top = nice_maximum(Decimal("34.25"))
    assert top == Decimal("50")

    # When drawn
    _, day_groups = bars(daily_energy_svg(days))

    # Then bar heights are proportional: 34.25 / 50 of the 144-unit plot height, to 0.1 unit
    last_exported = day_groups[-1].find(f"{SVG}rect[@class='exported']")
    assert Decimal(last_exported.get("height")) == (Decimal("144") * Decimal("34.25") / top).quantize(Decimal("0.1"))


def test_coordinates_are_plain_decimals_without_exponent():
    svg = daily_energy_svg(october(exported=Decimal("1E+2")))
    _root, day_groups = bars(svg)
    for group in day_groups:
        for rect in group:
            for name in ("x", "y", "width", "height"):
                assert "E" not in rect.get(name).upper()
                Decimal(rect.get(name))  # parses


@pytest.mark.parametrize("bad", [1.5, 2, "3"])
def test_energies_must_be_decimal(bad):
    with pytest.raises(TypeError, match="Decimal"):
        daily_energy_svg([Day(dt.date(2026, 10, 1), bad, Decimal("1"))])


def test_empty_and_all_zero_data_draw_an_empty_chart():
    assert bars(daily_energy_svg([]))[1] == []
    _, day_groups = bars(daily_energy_svg([Day(dt.date(2026, 10, 1), Decimal("0"), Decimal("0"))]))
    assert [rect.get("height") for rect in day_groups[0]] == ["0", "0"]


def test_negative_energies_draw_as_their_magnitude():
    # A cancellation may carry the original's energies negated; the bars look the same.
    plain = daily_energy_svg([Day(dt.date(2026, 10, 1), Decimal("3"), Decimal("2"))])
    negated = daily_energy_svg([Day(dt.date(2026, 10, 1), Decimal("-3"), Decimal("-2"))])
    assert plain == negated


def test_title_and_font_are_escaped():
    svg = daily_energy_svg(october(), title='<b>"Ann" & Bob</b>', font_family='A"B')
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == '<b>"Ann" & Bob</b>'
    assert root.get("font-family") == 'A"B'


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", "1"),
        ("0.3", "0.5"),
        ("1", "1"),
        ("1.01", "2"),
        ("2.2", "2.5"),
        ("7", "10"),
        ("34.25", "50"),
        ("120", "200"),
    ],
)
def test_nice_maximum(value, expected):
    assert nice_maximum(Decimal(value)) == Decimal(expected)
