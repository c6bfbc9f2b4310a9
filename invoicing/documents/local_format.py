"""Money, energy, prices and dates as a member reads them, in the document's language. Pure.

Babel's CLDR data decides separators and the euro sign's place (``60,03 €`` in German, ``€60.03``
in English); English documents use Irish conventions (a euro country: ``3 November 2026``).
Amounts arrive in exact cents and are rounded once, by ``core.money.round_ct``.
"""

import datetime as dt
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from core.money import CENTS_PER_EURO, round_ct

LOCALES = {"de": "de_DE", "en": "en_IE"}
ENERGY_PATTERN = "#,##0.000"  # kWh to the watt-hour, what the meters measure
PRICE_PATTERN = "#,##0.00##"  # ct/kWh: two places, up to the four a tariff or an average has


def locale_of(language: str) -> str:
    try:
        return LOCALES[language]
    except KeyError:
        raise ValueError(f"Documents are written in {', '.join(sorted(LOCALES))}, not {language!r}.") from None


def euros_of_cents(whole_ct: Decimal, language: str) -> str:
    """Whole cents as euros: ``Decimal("6003")`` -> ``"60,03 €"`` (de) / ``"€60.03"`` (en)."""
    euros = (whole_ct / CENTS_PER_EURO).quantize(Decimal("0.01"))
    return format_currency(euros if euros else abs(euros), "EUR", locale=locale_of(language))


def money(amount_ct: Decimal, language: str) -> str:
    """Exact cents rounded to whole cents (half up), then shown as euros; never ``-0.00``."""
    return euros_of_cents(round_ct(amount_ct), language)


def energy(value_kwh: Decimal, language: str) -> str:
    return f"{format_decimal(value_kwh, format=ENERGY_PATTERN, locale=locale_of(language))}\u00a0kWh"


def price(value_ct_per_kwh: Decimal, language: str) -> str:
    return f"{format_decimal(value_ct_per_kwh, format=PRICE_PATTERN, locale=locale_of(language))}\u00a0ct/kWh"


def long_day(day: dt.date, language: str) -> str:
    """``3 November 2026`` / ``3. November 2026``."""
    return format_date(day, format="long", locale=locale_of(language))


def short_day(day: dt.date, language: str) -> str:
    """``3 Nov 2026`` / ``03.11.2026``: for table cells."""
    return format_date(day, format="medium", locale=locale_of(language))
