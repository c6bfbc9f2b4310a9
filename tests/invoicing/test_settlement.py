from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from invoicing.pricing import Prices
from invoicing.settlement import (
    BREAK_EVEN_PRICE_PLACES,
    break_even_house_prices,
    break_even_p_con,
    interval_flows,
    settle,
    suggested_p_con,
    total,
)

DEFAULT = Prices(p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("6"), p_grid_con=Decimal("30"))
kwh = st.decimals(min_value=0, max_value=50_000, places=3, allow_nan=False, allow_infinity=False)
price = st.decimals(min_value=0, max_value=100, places=4, allow_nan=False, allow_infinity=False)


@st.composite
def tariffs(draw):
    return Prices(p_pv=draw(price), p_con=draw(price), p_grid_del=draw(price), p_grid_con=draw(price))


def test_leg_simulator_12_3_8_one_interval_deficit():
    # House 1 exports 10 kWh, house 2 imports 11 kWh.
    flows = interval_flows(exported_kwh=Decimal("10"), imported_kwh=Decimal("11"))
    settlement = settle(flows, prices=DEFAULT)

    assert (flows.grid_delivery_kwh, flows.grid_consumption_kwh) == (0, 1)
    assert settlement.community_result_ct == Decimal("45")
    assert break_even_p_con(settlement) == Decimal("20.90909090909090909090909090909091")  # 230/11, 34 digits


def test_leg_invoicing_fsd_14_5_surplus_caps_p_con_and_lowers_p_pv():
    prices = break_even_house_prices(exported_kwh=Decimal("100"), imported_kwh=Decimal("20"), prices=DEFAULT)
    flows = interval_flows(exported_kwh=Decimal("100"), imported_kwh=Decimal("20"))

    assert prices.p_con == Decimal("30")
    assert prices.p_pv == Decimal("10.8")
    assert settle(flows, prices=DEFAULT, p_pv=prices.p_pv, p_con=prices.p_con).community_result_ct == 0


def test_netting_per_interval_not_per_month():
    # 2 kWh exported in one quarter hour, 2 kWh imported in the next.
    per_interval = total(
        settle(interval_flows(exported_kwh=e, imported_kwh=i), prices=DEFAULT)
        for e, i in [(Decimal("2"), Decimal("0")), (Decimal("0"), Decimal("2"))]
    )
    per_month = settle(interval_flows(exported_kwh=Decimal("2"), imported_kwh=Decimal("2")), prices=DEFAULT)

    assert per_interval.community_result_ct == Decimal("-38")
    assert per_month.community_result_ct == Decimal("10")
    assert (per_interval.flows.grid_delivery_kwh, per_interval.flows.grid_consumption_kwh) == (2, 2)


def test_break_even_p_con_is_undefined_when_nobody_imports():
    settlement = settle(interval_flows(exported_kwh=Decimal("5"), imported_kwh=Decimal("0")), prices=DEFAULT)

    assert break_even_p_con(settlement) is None


def test_nobody_imports_exporters_are_paid_the_grid_price():
    prices = break_even_house_prices(exported_kwh=Decimal("5"), imported_kwh=Decimal("0"), prices=DEFAULT)

    assert prices.p_pv == Decimal("6")


def test_deficit_break_even_p_con():
    # E = 10, I = 40: p_con = 30 + (10/40)(20 - 30) = 27.5
    prices = break_even_house_prices(exported_kwh=Decimal("10"), imported_kwh=Decimal("40"), prices=DEFAULT)

    assert (prices.p_pv, prices.p_con) == (Decimal("20"), Decimal("27.5"))


def test_uncapped_surplus_break_even_p_con():
    # E = 12, I = 10: p_con = 6 + 1.2 * (20 - 6) = 22.8
    prices = break_even_house_prices(exported_kwh=Decimal("12"), imported_kwh=Decimal("10"), prices=DEFAULT)

    assert (prices.p_pv, prices.p_con) == (Decimal("20"), Decimal("22.8"))


def test_suggested_p_con_is_halfway_between_p_pv_and_p_grid_con():
    assert suggested_p_con(p_pv=Decimal("20"), p_grid_con=Decimal("30")) == Decimal("25")
    assert suggested_p_con(p_pv=Decimal("18.5"), p_grid_con=Decimal("32.25")) == Decimal("25.375")


@given(intervals=st.lists(st.tuples(kwh, kwh), min_size=1, max_size=50))
def test_per_interval_netting_never_shows_less_grid_exchange_than_monthly(intervals):
    per_interval = total(
        settle(interval_flows(exported_kwh=e, imported_kwh=i), prices=DEFAULT) for e, i in intervals
    ).flows
    monthly = interval_flows(exported_kwh=sum(e for e, _ in intervals), imported_kwh=sum(i for _, i in intervals))

    assert per_interval.grid_delivery_kwh >= monthly.grid_delivery_kwh
    assert per_interval.grid_consumption_kwh >= monthly.grid_consumption_kwh
    assert (
        per_interval.grid_delivery_kwh - per_interval.grid_consumption_kwh
        == monthly.grid_delivery_kwh - monthly.grid_consumption_kwh
    )


@given(exported=kwh, imported=kwh, prices=tariffs())
def test_break_even_prices_zero_every_interval_to_the_documented_precision(exported, imported, prices):
    house = break_even_house_prices(exported_kwh=exported, imported_kwh=imported, prices=prices)
    flows = interval_flows(exported_kwh=exported, imported_kwh=imported)

    result = settle(flows, prices=prices, p_pv=house.p_pv, p_con=house.p_con).community_result_ct

    assert abs(result) <= BREAK_EVEN_PRICE_PLACES / 2 * (exported + imported)


@given(intervals=st.lists(st.tuples(kwh, kwh), min_size=1, max_size=30), prices=tariffs())
def test_break_even_p_con_zeroes_the_summed_result(intervals, prices):
    settlement = total(settle(interval_flows(exported_kwh=e, imported_kwh=i), prices=prices) for e, i in intervals)
    p_con = break_even_p_con(settlement)
    if p_con is None:
        return

    repriced = total(
        settle(interval_flows(exported_kwh=e, imported_kwh=i), prices=prices, p_con=p_con) for e, i in intervals
    )

    # Exact but for the 28 significant digits of Decimal multiplication.
    assert abs(repriced.community_result_ct) <= Decimal("1e-12")
