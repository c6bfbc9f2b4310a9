"""The LEG pricing model for house invoices. Pure: Decimal in, Decimal out, no ORM, no float.

Houses trade only with the community (LEG-Simulator, section 12.3): a house is paid ``p_pv`` for
every kWh it exports and charged ``p_con`` for every kWh it imports. Amounts are kept exactly as
computed, in (fractional) cents; only the amount a member actually pays or receives is rounded,
by ``core.money.round_ct`` and nowhere else.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from core.money import ZERO, require_decimal


@dataclass(frozen=True)
class Prices:
    """One tariff's prices in ct/kWh."""

    p_pv: Decimal
    p_con: Decimal
    p_grid_del: Decimal
    p_grid_con: Decimal

    def __post_init__(self):
        for name in ("p_pv", "p_con", "p_grid_del", "p_grid_con"):
            require_decimal(name, getattr(self, name))


@dataclass(frozen=True)
class Amounts:
    """Energies (kWh) and what they are worth (ct) for one house over some stretch of time."""

    exported_kwh: Decimal
    imported_kwh: Decimal
    export_revenue_ct: Decimal
    import_cost_ct: Decimal

    @property
    def net_amount_ct(self) -> Decimal:
        """Positive: the community owes the house. Negative: the house owes the community."""
        return self.export_revenue_ct - self.import_cost_ct

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts(
            exported_kwh=self.exported_kwh + other.exported_kwh,
            imported_kwh=self.imported_kwh + other.imported_kwh,
            export_revenue_ct=self.export_revenue_ct + other.export_revenue_ct,
            import_cost_ct=self.import_cost_ct + other.import_cost_ct,
        )


NO_AMOUNTS = Amounts(ZERO, ZERO, ZERO, ZERO)


def price_energy(*, exported_kwh: Decimal, imported_kwh: Decimal, prices: Prices) -> Amounts:
    """Price a house's energy at one tariff: exported x p_pv, imported x p_con."""
    require_decimal("exported_kwh", exported_kwh)
    require_decimal("imported_kwh", imported_kwh)
    return Amounts(
        exported_kwh=exported_kwh,
        imported_kwh=imported_kwh,
        export_revenue_ct=exported_kwh * prices.p_pv,
        import_cost_ct=imported_kwh * prices.p_con,
    )


def total(amounts: Iterable[Amounts]) -> Amounts:
    return sum(amounts, NO_AMOUNTS)


PRICE_PLACES = Decimal("0.0001")


def average_price(*, amount_ct: Decimal, energy_kwh: Decimal, otherwise: Decimal) -> Decimal:
    """What ``energy_kwh`` cost on average, to the 4 places a tariff has; ``otherwise`` for no energy.

    Shown on invoices priced per interval (break-even tariffs); the amounts stay exact.
    """
    if energy_kwh == 0:
        return otherwise
    return (amount_ct / energy_kwh).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


class HasStart(Protocol):
    starts_at: dt.datetime


@dataclass(frozen=True)
class TariffSegment[T]:
    """A stretch ``[start, end)`` of a period in which one tariff is in force."""

    start: dt.datetime
    end: dt.datetime
    tariff: T


class NoTariffError(ValueError):
    pass


def tariff_segments[T: HasStart](tariffs: Sequence[T], start: dt.datetime, end: dt.datetime) -> list[TariffSegment[T]]:
    """Split ``[start, end)`` into the stretches each tariff version is in force.

    The tariff in force at an instant is the one with the latest ``starts_at`` not after it; an
    interval belongs to the tariff in force at its start.
    """
    ordered = sorted(tariffs, key=lambda tariff: tariff.starts_at)
    in_force_at_start = [tariff for tariff in ordered if tariff.starts_at <= start]
    if not in_force_at_start:
        raise NoTariffError(
            f"No tariff is in force on {start:%Y-%m-%d %H:%M} UTC; add a tariff valid from that instant or earlier."
        )
    versions = [in_force_at_start[-1]] + [tariff for tariff in ordered if start < tariff.starts_at < end]
    bounds = [start] + [tariff.starts_at for tariff in versions[1:]] + [end]
    return [TariffSegment(bounds[i], bounds[i + 1], tariff) for i, tariff in enumerate(versions)]
