import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing.pricing import (
    NoTariffError,
    Prices,
    price_energy,
    tariff_segments,
    total,
)

DEFAULT_PRICES = Prices(p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("6"), p_grid_con=Decimal("30"))
energies = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=1_000, places=4, allow_nan=False, allow_infinity=False)


def test_spec_example_to_the_digit():
    amounts = price_energy(exported_kwh=Decimal("450.5"), imported_kwh=Decimal("120.3"), prices=DEFAULT_PRICES)

    assert amounts.export_revenue_ct == Decimal("9010")
    assert amounts.import_cost_ct == Decimal("3007.5")
    assert amounts.net_amount_ct == Decimal("6002.5")


def test_float_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        price_energy(exported_kwh=450.5, imported_kwh=Decimal("1"), prices=DEFAULT_PRICES)


@given(exported=energies, imported=energies, p_pv=prices, p_con=prices)
def test_net_is_revenue_minus_cost(exported, imported, p_pv, p_con):
    tariff = Prices(p_pv=p_pv, p_con=p_con, p_grid_del=Decimal("6"), p_grid_con=Decimal("30"))
    amounts = price_energy(exported_kwh=exported, imported_kwh=imported, prices=tariff)

    assert amounts.net_amount_ct == amounts.export_revenue_ct - amounts.import_cost_ct


@given(exported=energies, imported=energies, factor=st.integers(min_value=0, max_value=1000))
def test_amounts_scale_linearly_with_energy(exported, imported, factor):
    once = price_energy(exported_kwh=exported, imported_kwh=imported, prices=DEFAULT_PRICES)
    scaled = price_energy(exported_kwh=exported * factor, imported_kwh=imported * factor, prices=DEFAULT_PRICES)

    assert scaled.export_revenue_ct == once.export_revenue_ct * factor
    assert scaled.import_cost_ct == once.import_cost_ct * factor


@given(parts=st.lists(st.tuples(energies, energies), min_size=1, max_size=20))
def test_pricing_parts_separately_equals_pricing_the_sum(parts):
    separately = total(price_energy(exported_kwh=e, imported_kwh=i, prices=DEFAULT_PRICES) for e, i in parts)
    together = price_energy(
        exported_kwh=sum(e for e, _ in parts), imported_kwh=sum(i for _, i in parts), prices=DEFAULT_PRICES
    )

    assert separately == together


def _tariff(starts_at):
    return SimpleNamespace(starts_at=starts_at)


def test_one_tariff_covers_the_whole_period():
    january = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    february = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    old = _tariff(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))

    (segment,) = tariff_segments([old], january, february)

    assert (segment.start, segment.end, segment.tariff) == (january, february, old)


def test_a_tariff_change_splits_the_period_at_its_start():
    january = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    mid = dt.datetime(2026, 1, 16, tzinfo=dt.UTC)
    february = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    old, new, later = _tariff(january), _tariff(mid), _tariff(february)

    segments = tariff_segments([later, new, old], january, february)

    assert [(s.start, s.end, s.tariff) for s in segments] == [(january, mid, old), (mid, february, new)]


def test_no_tariff_in_force_at_the_start_is_an_error():
    january = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(NoTariffError, match="No tariff is in force on 2026-01-01 00:00 UTC"):
        tariff_segments([_tariff(dt.datetime(2026, 1, 2, tzinfo=dt.UTC))], january, january + dt.timedelta(days=31))
