import datetime as dt
from decimal import Decimal

import pytest

from invoicing.documents import DailyPrice
from invoicing.documents.price_chart import daily_prices_svg

FIRST = dt.date(2026, 1, 1)


def chart(*days):
    return daily_prices_svg(days, title="Prices <per day>")


def test_one_group_per_day_with_a_bar_per_price_charged():
    svg = chart(
        DailyPrice(FIRST, Decimal("20"), Decimal("30")), DailyPrice(FIRST + dt.timedelta(days=1), None, Decimal("28"))
    )
    assert svg.count('<g class="day"') == 2
    assert svg.count('class="p-pv"') == 1 and svg.count('class="p-con"') == 2


def test_the_axis_top_is_a_nice_number_above_the_highest_price():
    svg = chart(DailyPrice(FIRST, Decimal("20"), Decimal("31.5")))
    assert ">50</text>" in svg and ">25</text>" in svg


def test_the_title_is_escaped():
    assert "Prices &lt;per day&gt;" in chart(DailyPrice(FIRST, None, None))


def test_a_day_price_refuses_floats():
    with pytest.raises(TypeError, match="float"):
        DailyPrice(FIRST, 20.5, None)
