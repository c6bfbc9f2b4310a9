import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.formatting import EMPTY, ct_per_kwh, eur, kwh, site_time


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


@pytest.mark.parametrize(
    ("instant", "shown"),
    [
        (dt.datetime(2026, 3, 1, 13, 5, tzinfo=dt.UTC), "2026-03-01 14:05 CET"),
        (dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC), "2026-07-01 15:05 CEST"),
        (None, EMPTY),
    ],
)
def test_site_time_shows_an_instant_in_the_current_zone_with_its_abbreviation(instant, shown):
    with timezone.override("Europe/Berlin"):
        assert site_time(instant) == shown
