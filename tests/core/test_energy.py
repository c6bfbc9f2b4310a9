from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.energy import kwh_to_wh, wh_to_kwh


def test_wh_to_kwh_is_exact():
    assert wh_to_kwh(450_500) == Decimal("450.5")
    assert wh_to_kwh(1) == Decimal("0.001")


def test_kwh_finer_than_a_watt_hour_is_refused():
    with pytest.raises(ValueError, match="finer than 1 Wh"):
        kwh_to_wh(Decimal("0.0005"))


@given(st.integers(min_value=0, max_value=10**15))
def test_round_trip(wh):
    assert kwh_to_wh(wh_to_kwh(wh)) == wh
