"""Money, energy, prices and dates as a person reads them, in a language. Pure: values in, str out.

Babel's CLDR data decides separators and the euro sign's place (``60,03 €`` in German, ``€60.03``
in English); English uses Irish conventions (a euro country: ``3 November 2026``). Documents pass
their own language; the admin passes the one its request runs in (``active_language``). Amounts
arrive in exact cents and are rounded once, by ``core.money.round_ct``; energy and prices are
rounded half up here, before Babel (which would round half to even).
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from django.utils import translation

from core.money import payable_eur, round_ct

LOCALES = {"de": "de_DE", "en": "en_IE"}
ENERGY_PATTERN = "#,##0.000"  # kWh to the watt-hour, what the meters measure
ENERGY_STEP = Decimal("0.001")
PRICE_PATTERN = "#,##0.00##"  # ct/kWh: two places, up to the four a tariff or an average has
PRICE_STEP = Decimal("0.0001")


def locale_of(language: str) -> str:
    try:
        return LOCALES[language]
    except KeyError:
        raise ValueError(f"Documents are written in {', '.join(sorted(LOCALES))}, not {language!r}.") from None


def active_language() -> str:
    """The language the current request or ``translation.override`` runs in (``de-at`` -> ``de``);
    English where it is neither of the two this project speaks."""
    language = (translation.get_language() or "en").split("-")[0]
    return language if language in LOCALES else "en"


def euros_of_cents(whole_ct: Decimal, language: str) -> str:
    """Whole cents as euros: ``Decimal("6003")`` -> ``"60,03 €"`` (de) / ``"€60.03"`` (en)."""
    euros = payable_eur(whole_ct)
    return format_currency(euros if euros else abs(euros), "EUR", locale=locale_of(language))


def money(amount_ct: Decimal, language: str) -> str:
    """Exact cents rounded to whole cents (half up), then shown as euros; never ``-0.00``."""
    return euros_of_cents(round_ct(amount_ct), language)


def whole_number(value: int, language: str) -> str:
    """A count with the language's grouping: ``2,976`` (en) / ``2.976`` (de)."""
    return format_decimal(value, locale=locale_of(language))


def energy_number(value_kwh: Decimal, language: str) -> str:
    """kWh to the watt-hour without the unit, for columns that name it: ``"1.234,500"`` (de)."""
    rounded = value_kwh.quantize(ENERGY_STEP, rounding=ROUND_HALF_UP)
    return format_decimal(rounded, format=ENERGY_PATTERN, locale=locale_of(language))


def energy(value_kwh: Decimal, language: str) -> str:
    return f"{energy_number(value_kwh, language)}\u00a0kWh"


def price(value_ct_per_kwh: Decimal, language: str) -> str:
    rounded = value_ct_per_kwh.quantize(PRICE_STEP, rounding=ROUND_HALF_UP)
    return f"{format_decimal(rounded, format=PRICE_PATTERN, locale=locale_of(language))}\u00a0ct/kWh"


def long_day(day: dt.date, language: str) -> str:
    """``3 November 2026`` / ``3. November 2026``."""
    return format_date(day, format="long", locale=locale_of(language))


def short_day(day: dt.date, language: str) -> str:
    """``3 Nov 2026`` / ``03.11.2026``: for table cells."""
    return format_date(day, format="medium", locale=locale_of(language))
