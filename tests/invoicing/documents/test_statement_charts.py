import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

from invoicing.documents.statement_charts import energy_per_day_svg, result_per_day_svg
from invoicing.pricing import Prices
from invoicing.settlement import interval_flows, settle

DEFAULT = Prices(p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("6"), p_grid_con=Decimal("30"))
SVG = "{http://www.w3.org/2000/svg}"


def day(number: int, exported: str, imported: str):
    flows = interval_flows(exported_kwh=Decimal(exported), imported_kwh=Decimal(imported))
    return dt.date(2026, 10, number), settle(flows, prices=DEFAULT)


def test_energy_chart_has_four_bars_per_day():
    days = [day(1, "10", "4"), day(2, "0", "12.5")]

    root = ET.fromstring(energy_per_day_svg(days, language="en"))

    groups = root.findall(f".//{SVG}g[@class='day']")
    assert [group.get("data-day") for group in groups] == ["2026-10-01", "2026-10-02"]
    assert all(len(group.findall(f"{SVG}rect")) == 4 for group in groups)
    assert "Grid consumption" in energy_per_day_svg(days, language="en")


def test_result_chart_draws_losses_red():
    first, second = day(1, "0", "10"), day(2, "10", "0")
    root = ET.fromstring(result_per_day_svg([first, second], language="en"))

    bars = root.findall(f"{SVG}rect[@class='day']")
    # Day 1: houses import 10 kWh bought from the grid: 250 - 300 = -50 ct, a loss.
    # Day 2: houses export 10 kWh sold to the grid: 60 - 200 = -140 ct, a loss too.
    assert [bar.get("fill") for bar in bars] == ["#c0504d", "#c0504d"]
    assert "-€1.40" in bars[1].find(f"{SVG}title").text


def test_result_chart_gain_is_green():
    gain = day(1, "10", "11")  # LEG-Simulator 12.3.8: +45 ct

    (bar,) = ET.fromstring(result_per_day_svg([gain], language="en")).findall(f"{SVG}rect[@class='day']")

    assert bar.get("fill") == "#2e8b57"
    assert "€0.45" in bar.find(f"{SVG}title").text


def test_empty_period_draws_empty_charts():
    assert ET.fromstring(energy_per_day_svg([], language="en")).findall(f".//{SVG}g[@class='day']") == []
    assert ET.fromstring(result_per_day_svg([], language="en")).findall(f"{SVG}rect[@class='day']") == []


def test_bar_titles_write_figures_in_the_page_language():
    days = [day(1, "1234.5", "11")]

    energy = ET.fromstring(energy_per_day_svg(days, language="de"))
    (bar,) = ET.fromstring(result_per_day_svg(days, language="de")).findall(f"{SVG}rect[@class='day']")

    titles = [title.text for title in energy.iter(f"{SVG}title")]
    assert "2026-10-01 Houses' export: 1.234,500\u00a0kWh" in titles
    assert bar.find(f"{SVG}title").text.endswith("\u00a0€") and "EUR" not in bar.find(f"{SVG}title").text
