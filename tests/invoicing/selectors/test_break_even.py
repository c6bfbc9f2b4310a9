import datetime as dt
from decimal import Decimal

import pytest

from invoicing import selectors
from invoicing.pricing import Prices
from invoicing.settlement import HousePrices
from tests.factories import CommunityFactory, HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
QUARTER_HOUR = dt.timedelta(minutes=15)
DEFAULT = Prices(p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("6"), p_grid_con=Decimal("30"))


@pytest.fixture
def houses():
    community = CommunityFactory()
    seller, buyer = HouseFactory(community=community), HouseFactory(community=community)
    add_readings(seller, JANUARY, [("100", "0"), ("0", "1.5")])
    add_readings(buyer, JANUARY, [("0", "20"), ("0.25", "3")])
    return seller, buyer


def test_interval_energy_sums_all_houses_per_interval(houses):
    intervals = selectors.interval_energy(houses=houses, start=JANUARY, end=JANUARY + QUARTER_HOUR * 4)

    assert [(i.interval_start, i.exported_wh, i.imported_wh) for i in intervals] == [
        (JANUARY, 100_000, 20_000),
        (JANUARY + QUARTER_HOUR, 250, 4_500),
    ]


def test_houses_are_valued_at_their_intervals_prices(houses):
    seller, buyer = houses
    prices = {
        JANUARY: HousePrices(p_pv=Decimal("10.8"), p_con=Decimal("30")),
        JANUARY + QUARTER_HOUR: HousePrices(p_pv=Decimal("20"), p_con=Decimal("28.88888889")),
    }

    values = selectors.house_values_at_interval_prices(houses=houses, prices_by_interval=prices)

    assert values[seller.pk].export_revenue_ct == Decimal("1080")
    # 1.5 kWh x 28.88888889 = 43.333333335 ct, kept to the invoice's 7 places, half up.
    assert values[seller.pk].import_cost_ct == Decimal("43.3333333")
    assert values[buyer.pk].export_revenue_ct == Decimal("5")
    assert values[buyer.pk].import_cost_ct == Decimal("686.6666667")
    assert (values[buyer.pk].exported_wh, values[buyer.pk].imported_wh) == (250, 23_000)


def test_only_the_given_intervals_are_valued(houses):
    seller, _ = houses

    values = selectors.house_values_at_interval_prices(
        houses=[seller], prices_by_interval={JANUARY: HousePrices(p_pv=Decimal("1"), p_con=Decimal("1"))}
    )

    assert values == {seller.pk: selectors.HouseValue(100_000, 0, Decimal("100"), Decimal("0"))}


def test_break_even_prices_of_the_fsd_example(houses):
    (first,) = selectors.interval_energy(houses=houses, start=JANUARY, end=JANUARY + QUARTER_HOUR)

    assert selectors.break_even_prices(first, DEFAULT) == HousePrices(p_pv=Decimal("10.8"), p_con=Decimal("30"))


def test_prices_finer_than_the_precision_are_refused(houses):
    with pytest.raises(ValueError, match="1e-8"):
        selectors.house_values_at_interval_prices(
            houses=houses, prices_by_interval={JANUARY: HousePrices(p_pv=Decimal("0.000000001"), p_con=Decimal("1"))}
        )


def test_houses_can_be_valued_twice_in_one_transaction(houses):
    """The interval prices' temporary table is dropped after each valuation."""
    seller, _ = houses
    prices = {JANUARY: HousePrices(p_pv=Decimal("1"), p_con=Decimal("1"))}
    selectors.house_values_at_interval_prices(houses=[seller], prices_by_interval=prices)

    again = selectors.house_values_at_interval_prices(houses=[seller], prices_by_interval=prices)

    assert again[seller.pk].export_revenue_ct == Decimal("100")
