"""How the back-office shows money, energy and times. Pure: values in, str out, no ORM, no float.

Amounts are stored in exact (fractional) cents; staff see what a member pays or receives, rounded
by ``money.round_ct``'s one rule. Figures follow the active language (the admin's request, or a
``translation.override``) through ``local_format``, which the documents use with their own
language; machine exports never come here. Instants are stored in UTC; staff see them in the
site's zone (``site_time``).
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from . import local_format
from .local_format import active_language

EMPTY = "-"


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
    """Cents to the euro amount a member sees, in the active language: ``Decimal("6002.5")`` ->
    ``"€60.03"`` (en) / ``"60,03 €"`` (de); never ``-0.00``, which would read as a debt."""
    if amount_ct is None:
        return EMPTY
    return local_format.money(_as_decimal("amount_ct", amount_ct), active_language())


def kwh(value) -> str:
    """Energy to the watt-hour (three decimals): ``Decimal("450.5")`` -> ``"450.500 kWh"`` /
    ``"450,500 kWh"``."""
    if value is None:
        return EMPTY
    return local_format.energy(_as_decimal("value", value), active_language())


def kwh_number(value) -> str:
    """Energy as ``kwh`` shows it, without the unit, for columns that name it: ``"450.500"``."""
    if value is None:
        return EMPTY
    return local_format.energy_number(_as_decimal("value", value), active_language())


def ct_per_kwh(price) -> str:
    """A tariff or average price, two to four decimals: ``Decimal("20.5")`` -> ``"20.50 ct/kWh"``."""
    if price is None:
        return EMPTY
    return local_format.price(_as_decimal("price", price), active_language())
