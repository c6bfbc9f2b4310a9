"""Community settlement under the LEG pricing model. Pure: Decimal in, Decimal out, no ORM.

Houses trade only with the community; the community trades its surplus or deficit with the
external grid (LEG-Simulator, section 12.3). Netting happens per settlement interval: a kWh
exported in one quarter hour and a kWh imported in the next are one kWh sold to the grid and one
bought from it, never zero. Everything here works on one interval or on sums of intervals that
were already netted interval by interval.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal

from .pricing import Prices

ZERO = Decimal("0")

# Break-even prices divide by an interval's energy, so they have no finite decimal expansion.
# They are computed with 34 significant digits and kept to 1e-8 ct/kWh. Every amount is then
# energy x that price, exactly, so invoices add up to the statement to the last digit; against
# the unrounded price an interval's community result is off by at most
# 0.5e-8 ct/kWh x (E_t + I_t): 0.0002 ct for a 2,000-house interval of 40 MWh.
BREAK_EVEN_PRICE_PLACES = Decimal("1e-8")
DIVISION = Context(prec=34)


def break_even_price(value: Decimal) -> Decimal:
    return value.quantize(BREAK_EVEN_PRICE_PLACES, rounding=ROUND_HALF_EVEN, context=DIVISION)


@dataclass(frozen=True)
class Flows:
    """Energy of one interval, or a sum of intervals each netted on its own, in kWh."""

    exported_kwh: Decimal  # E: what houses delivered to the community
    imported_kwh: Decimal  # I: what houses took from the community
    grid_delivery_kwh: Decimal  # D: community surplus sold to the grid
    grid_consumption_kwh: Decimal  # G: community deficit bought from the grid

    def __add__(self, other: "Flows") -> "Flows":
        return Flows(
            self.exported_kwh + other.exported_kwh,
            self.imported_kwh + other.imported_kwh,
            self.grid_delivery_kwh + other.grid_delivery_kwh,
            self.grid_consumption_kwh + other.grid_consumption_kwh,
        )


NO_FLOWS = Flows(ZERO, ZERO, ZERO, ZERO)


def interval_flows(*, exported_kwh: Decimal, imported_kwh: Decimal) -> Flows:
    """Net one interval: ``D = max(0, E - I)``, ``G = max(0, I - E)``."""
    return Flows(
        exported_kwh=exported_kwh,
        imported_kwh=imported_kwh,
        grid_delivery_kwh=max(ZERO, exported_kwh - imported_kwh),
        grid_consumption_kwh=max(ZERO, imported_kwh - exported_kwh),
    )


@dataclass(frozen=True)
class Settlement:
    """What the flows are worth, in ct, seen from the community."""

    flows: Flows
    houses_revenue_ct: Decimal  # paid to houses for their export (E x p_pv)
    houses_cost_ct: Decimal  # charged to houses for their import (I x p_con)
    grid_revenue_ct: Decimal  # received from the grid (D x p_grid_del)
    grid_cost_ct: Decimal  # paid to the grid (G x p_grid_con)

    @property
    def community_result_ct(self) -> Decimal:
        """``Π = I·p_con + D·p_grid_del − E·p_pv − G·p_grid_con``: positive is the community's gain."""
        return self.houses_cost_ct + self.grid_revenue_ct - self.houses_revenue_ct - self.grid_cost_ct

    def __add__(self, other: "Settlement") -> "Settlement":
        return Settlement(
            self.flows + other.flows,
            self.houses_revenue_ct + other.houses_revenue_ct,
            self.houses_cost_ct + other.houses_cost_ct,
            self.grid_revenue_ct + other.grid_revenue_ct,
            self.grid_cost_ct + other.grid_cost_ct,
        )


NO_SETTLEMENT = Settlement(NO_FLOWS, ZERO, ZERO, ZERO, ZERO)


def settle(flows: Flows, *, prices: Prices, p_pv: Decimal | None = None, p_con: Decimal | None = None) -> Settlement:
    """Value netted flows at a tariff; ``p_pv``/``p_con`` override the house prices (break-even)."""
    return Settlement(
        flows=flows,
        houses_revenue_ct=flows.exported_kwh * (prices.p_pv if p_pv is None else p_pv),
        houses_cost_ct=flows.imported_kwh * (prices.p_con if p_con is None else p_con),
        grid_revenue_ct=flows.grid_delivery_kwh * prices.p_grid_del,
        grid_cost_ct=flows.grid_consumption_kwh * prices.p_grid_con,
    )


def total(settlements: Iterable[Settlement]) -> Settlement:
    return sum(settlements, NO_SETTLEMENT)


@dataclass(frozen=True)
class HousePrices:
    """The house prices of one interval, ct/kWh."""

    p_pv: Decimal
    p_con: Decimal


def break_even_house_prices(*, exported_kwh: Decimal, imported_kwh: Decimal, prices: Prices) -> HousePrices:
    """House prices that make one interval's community result zero (upstream FSD section 14.5).

    Deficit (I > E): importers pay the grid price, less the share covered by houses at p_pv.
    Surplus (E >= I > 0): importers pay the grid-delivery price plus the exporters' premium,
    capped at p_grid_con; past the cap exporters get what their energy earns the community.
    Nobody imports: exporters are paid what the grid pays.
    """
    energy, demand = exported_kwh, imported_kwh
    if demand == 0:
        return HousePrices(p_pv=prices.p_grid_del, p_con=prices.p_con)
    if demand > energy:
        share = DIVISION.divide(energy, demand)
        return HousePrices(
            p_pv=prices.p_pv, p_con=break_even_price(prices.p_grid_con + share * (prices.p_pv - prices.p_grid_con))
        )
    share = DIVISION.divide(energy, demand)
    p_con = prices.p_grid_del + share * (prices.p_pv - prices.p_grid_del)
    if p_con <= prices.p_grid_con:
        return HousePrices(p_pv=prices.p_pv, p_con=break_even_price(p_con))
    p_pv = DIVISION.divide(demand * prices.p_grid_con + (energy - demand) * prices.p_grid_del, energy)
    return HousePrices(p_pv=break_even_price(p_pv), p_con=prices.p_grid_con)


def break_even_p_con(settlement: Settlement) -> Decimal | None:
    """The single house consumption price that makes the summed result zero, other prices fixed.

    Exact under per-interval netting: ``p_con = (Σ E·p_pv + Σ G·p_grid_con − Σ D·p_grid_del) / Σ I``,
    with the p_pv, p_grid_* terms as valued in ``settlement``. None when no house imported.
    """
    imported = settlement.flows.imported_kwh
    if imported == 0:
        return None
    return DIVISION.divide(
        settlement.houses_revenue_ct + settlement.grid_cost_ct - settlement.grid_revenue_ct, imported
    )


def suggested_p_con(*, p_pv: Decimal, p_grid_con: Decimal) -> Decimal:
    """Halfway between what exporters get and what the grid charges (the upstream tariff tool's default)."""
    return (p_pv + p_grid_con) / 2
