from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import payable_eur, round_ct

amounts_ct = st.decimals(min_value=-(10**9), max_value=10**9, places=7, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("amount", "rounded"),
    [("2.5", "3"), ("3.5", "4"), ("-2.5", "-3"), ("2.4999999", "2"), ("6002.5", "6003"), ("0.5", "1")],
)
def test_round_ct_rounds_half_away_from_zero(amount, rounded):
    assert round_ct(Decimal(amount)) == Decimal(rounded)


@given(amount=amounts_ct)
def test_round_ct_is_within_half_a_cent_and_half_up(amount):
    rounded = round_ct(amount)

    assert rounded == rounded.to_integral_value()
    assert abs(rounded - amount) <= Decimal("0.5")
    if abs(amount - amount.to_integral_value(rounding="ROUND_DOWN")) == Decimal("0.5"):
        assert abs(rounded) > abs(amount)


def test_payable_eur_has_two_decimals():
    assert payable_eur(Decimal("6002.5")) == Decimal("60.03")
    assert str(payable_eur(Decimal("-3007.5"))) == "-30.08"
    assert str(payable_eur(Decimal("9010"))) == "90.10"
