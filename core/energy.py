"""Energy units. Pure: no ORM.

Readings are stored as integer watt-hours so that sums are exact on every database; the rest of
the product speaks kWh as Decimal. These two functions are the only crossing between the two.
"""

from decimal import Decimal


def wh_to_kwh(wh: int) -> Decimal:
    """Watt-hours to kWh, exactly (1234 -> Decimal('1.234'))."""
    return Decimal(int(wh)).scaleb(-3)


def kwh_to_wh(kwh: Decimal) -> int:
    """kWh to watt-hours; refuses values finer than 1 Wh rather than rounding them away."""
    if not isinstance(kwh, Decimal):
        raise TypeError(f"kWh must be a Decimal, not {type(kwh).__name__}.")
    wh = kwh.scaleb(3)
    if wh != wh.to_integral_value():
        raise ValueError(f"{kwh} kWh has more than three decimals (finer than 1 Wh).")
    return int(wh)
