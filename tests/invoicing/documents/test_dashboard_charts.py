"""The dashboard's monthly charts: inline SVG from Decimal figures, nothing fetched from elsewhere."""

from decimal import Decimal

from django.utils import translation

from invoicing.documents.dashboard_charts import monthly_energy_svg, monthly_result_svg
from invoicing.selectors import MonthFigures


def closed(month: str, result_ct: str) -> MonthFigures:
    return MonthFigures(month, Decimal("400"), Decimal("300"), Decimal("150"), Decimal("50"), Decimal(result_ct))


def still_open(month: str) -> MonthFigures:
    return MonthFigures(month, Decimal("200"), Decimal("100"), None, None, None)


def test_energy_chart_draws_four_bars_for_a_closed_month_and_two_for_an_open_one():
    svg = monthly_energy_svg([closed("2026-01", "1000"), still_open("2026-02")])

    january, february = svg.split('data-month="2026-01"')[1], svg.split('data-month="2026-02"')[1]
    assert january.split("</g>")[0].count("<rect") == 4
    assert february.split("</g>")[0].count("<rect") == 2
    assert 'class="grid-export"' in january.split("</g>")[0]


def test_the_tallest_bar_reaches_a_nice_axis_top():
    svg = monthly_energy_svg([closed("2026-01", "0")])

    assert ">500</text>" in svg  # 400 kWh rounds up to a 500 kWh axis
    assert "<title>2026-01 Production: 400.000\u00a0kWh</title>" in svg


def test_result_chart_draws_gains_above_and_losses_below_the_zero_line():
    svg = monthly_result_svg([closed("2026-01", "12345"), closed("2026-02", "-5000"), still_open("2026-03")])

    assert "<title>2026-01: €123.45</title>" in svg
    assert "<title>2026-02: -€50.00</title>" in svg
    assert 'data-month="2026-03"' not in svg  # no result before the month is closed
    assert svg.count('fill="#c0504d"') == 1


def test_charts_label_months_and_load_nothing_from_elsewhere():
    svg = monthly_energy_svg([still_open("2025-12"), still_open("2026-01")]) + monthly_result_svg([])

    assert ">12/25</text>" in svg and ">01/26</text>" in svg
    assert "href" not in svg and "<script" not in svg
    assert svg.count("http") == 2  # the SVG namespace of each chart, never fetched


def test_bar_titles_follow_the_admin_language():
    with translation.override("de"):
        svg = monthly_energy_svg([closed("2026-01", "0")]) + monthly_result_svg([closed("2026-01", "12345")])

    assert "<title>2026-01 Erzeugung: 400,000\u00a0kWh</title>" in svg
    assert "<title>2026-01: 123,45\u00a0€</title>" in svg
