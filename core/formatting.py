"""How the back-office shows money, energy and times. Pure: values in, str out, no ORM, no float.

Amounts are stored in exact (fractional) cents; staff see what a member pays or receives, so
``eur`` goes through ``money.payable_eur`` and its one rounding rule rather than rounding here.
Instants are stored in UTC; staff see them in the site's zone (``site_time``).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from .money import payable_eur

EMPTY = "-"
WATT_HOUR = Decimal("0.001")
PRICE_STEP = Decimal("0.0001")


def _as_decimal(name: str, value) -> Decimal:
    # int is exact and bool is not a quantity; float would already have lost digits.
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"{name} must be a Decimal or int, not {type(value).__name__}; display never goes through float.")


def site_time(instant: dt.datetime | None) -> str:
    """When something happened, as staff read it: in the current time zone (the site's
    ``TIME_ZONE``) with its abbreviation, ``2026-03-01 14:05 CET``. Stored values stay UTC."""
    if instant is None:
        return EMPTY
    return f"{timezone.localtime(instant):%Y-%m-%d %H:%M %Z}"


def local_day(instant: dt.datetime | None) -> str:
    """The day something happened in the current time zone: ``2026-03-01``."""
    if instant is None:
        return EMPTY
    return f"{timezone.localtime(instant):%Y-%m-%d}"


def eur(amount_ct) -> str:
    """Cents to the euro amount a member sees: ``Decimal("6002.5")`` -> ``"60.03 EUR"``."""
    if amount_ct is None:
        return EMPTY
    euros = payable_eur(_as_decimal("amount_ct", amount_ct))
    # A fraction of a cent below zero rounds to 0; "-0.00 EUR" would read as a debt.
    return f"{euros if euros else abs(euros)} EUR"


def kwh(value) -> str:
    """Energy with three decimals (one Wh): ``Decimal("450.5")`` -> ``"450.500 kWh"``."""
    if value is None:
        return EMPTY
    return f"{_as_decimal('value', value).quantize(WATT_HOUR, rounding=ROUND_HALF_UP)} kWh"


def kwh_number(value) -> str:
    """Energy as ``kwh`` shows it, without the unit, for columns that name it: ``"450.500"``."""
    return kwh(value).removesuffix(" kWh")


def ct_per_kwh(price) -> str:
    """A tariff price as stored (four decimals): ``Decimal("20")`` -> ``"20.0000 ct/kWh"``."""
    if price is None:
        return EMPTY
    return f"{_as_decimal('price', price).quantize(PRICE_STEP, rounding=ROUND_HALF_UP)} ct/kWh"
