import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.formatting import EMPTY, ct_per_kwh, eur, kwh, kwh_number, site_time


@pytest.mark.parametrize(
    ("amount_ct", "shown"),
    [
        (Decimal("6002.5"), "€60.03"),
        (Decimal("-6002.5"), "-€60.03"),
        (Decimal("-0.4"), "€0.00"),
        (Decimal("0"), "€0.00"),
        (12345678, "€123,456.78"),
        (None, "-"),
    ],
)
def test_eur_shows_the_payable_amount_with_two_decimals(amount_ct, shown):
    assert eur(amount_ct) == shown


@pytest.mark.parametrize(
    ("amount_ct", "shown"),
    [(Decimal("6002.5"), "60,03\u00a0€"), (Decimal("-6002.5"), "-60,03\u00a0€"), (12345678, "123.456,78\u00a0€")],
)
def test_eur_in_german_puts_the_comma_and_the_euro_sign_where_germans_do(amount_ct, shown):
    with translation.override("de"):
        assert eur(amount_ct) == shown


def test_kwh_and_prices_show_their_fixed_decimals_rounded_half_up():
    assert kwh(Decimal("450.5")) == "450.500\u00a0kWh"
    assert kwh(Decimal("0.0005")) == "0.001\u00a0kWh"
    assert ct_per_kwh(Decimal("20")) == "20.00\u00a0ct/kWh"
    assert ct_per_kwh(Decimal("20.90905")) == "20.9091\u00a0ct/kWh"


def test_kwh_and_prices_follow_the_active_language():
    with translation.override("de"):
        assert kwh(Decimal("1234.5")) == "1.234,500\u00a0kWh"
        assert kwh_number(Decimal("450.5")) == "450,500"
        assert ct_per_kwh(Decimal("20.5")) == "20,50\u00a0ct/kWh"


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
