from decimal import Decimal

import pytest

from core.formatting import ct_per_kwh, eur, kwh


@pytest.mark.parametrize(
    ("amount_ct", "shown"),
    [
        (Decimal("6002.5"), "60.03 EUR"),
        (Decimal("-6002.5"), "-60.03 EUR"),
        (Decimal("-0.4"), "0.00 EUR"),
        (Decimal("0"), "0.00 EUR"),
        (12345678, "123456.78 EUR"),
        (None, "-"),
    ],
)
def test_eur_shows_the_payable_amount_with_two_decimals(amount_ct, shown):
    assert eur(amount_ct) == shown


def test_kwh_and_prices_show_their_fixed_decimals():
    assert kwh(Decimal("450.5")) == "450.500 kWh"
    assert kwh(Decimal("0.0005")) == "0.001 kWh"
    assert ct_per_kwh(Decimal("20")) == "20.0000 ct/kWh"


def test_display_helpers_refuse_float():
    with pytest.raises(TypeError):
        eur(60.03)
    with pytest.raises(TypeError):
        kwh(450.5)
