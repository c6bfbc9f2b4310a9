"""Money in exact cents, and the one rule that rounds it. Pure: Decimal in, Decimal out, no float.

Amounts stay exact (fractional cents) everywhere; only the amount a member actually pays or
receives is rounded, by ``round_ct`` and nowhere else.
"""

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
WHOLE_CENT = Decimal(1)
CENTS_PER_EURO = 100


def require_decimal(name: str, value) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}; money never goes through float.")


def round_ct(amount_ct: Decimal) -> Decimal:
    """The one rounding rule: exact cents to whole cents, half away from zero (ROUND_HALF_UP).

    Python's default is half-even (banker's rounding), which members would see as a cent lost
    on every other x.5; commercial rounding is what an invoice reader expects.
    """
    require_decimal("amount_ct", amount_ct)
    return amount_ct.quantize(WHOLE_CENT, rounding=ROUND_HALF_UP)


def payable_eur(amount_ct: Decimal) -> Decimal:
    """The amount in euros as paid or received: rounded cents, two decimals."""
    return (round_ct(amount_ct) / CENTS_PER_EURO).quantize(Decimal("0.01"))
