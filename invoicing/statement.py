"""THE community statement of a settlement period: what per-interval netting means in money.

``statement_for(period)`` is the one way to get it. A period whose close froze its statement
(``StatementDocument``) answers with that frozen copy, so the page, the downloads, the command
and the PDF keep saying what the period closed with even after a house or tariff is edited; any
other period is computed live from its readings. The database sums the houses' energy per
interval (one grouped query, a few thousand rows a month); netting and valuation then run once
per interval, never per reading.
"""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from core import spreadsheets
from core.energy import wh_to_kwh
from core.spreadsheets import plain_decimal

from . import selectors, settlement
from .exports import utc_timestamp
from .models import SettlementPeriod, StatementDocument

LAST_SECOND = dt.timedelta(seconds=1)
FIGURES = (
    "exported_kwh",
    "imported_kwh",
    "grid_delivery_kwh",
    "grid_consumption_kwh",
    "houses_revenue_ct",
    "houses_cost_ct",
    "grid_revenue_ct",
    "grid_cost_ct",
    "community_result_ct",
)


@dataclass(frozen=True)
class Statement:
    community_slug: str
    month: str
    start: dt.datetime
    end: dt.datetime
    houses: int
    days: list[tuple[dt.date, settlement.Settlement]]
    total: settlement.Settlement
    break_even_p_con: Decimal | None
    frozen_at: dt.datetime | None = None  # None: computed live

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


def statement_for(*, period: SettlementPeriod) -> Statement:
    """The frozen statement of a closed period, or the live one of any other.

    Raises ``pricing.NoTariffError`` when a live statement has no tariff to value it with.
    """
    frozen = frozen_statement(period=period)
    return frozen if frozen is not None else statement_compute(period=period)


def frozen_statement(*, period: SettlementPeriod) -> Statement | None:
    """The statement the period's close froze, or None while it is open."""
    document = StatementDocument.objects.filter(period=period).first()
    if document is None:
        return None
    return statement_from_json(document.content_json, frozen_at=document.frozen_at)


def statement_compute(*, period: SettlementPeriod, intervals: list | None = None) -> Statement:
    """The statement from the period's current readings and tariffs (what a close freezes).

    ``intervals``: the period's summed energy per interval when already known (a close's stored
    totals); otherwise summed from the readings, as a check against the readings must.
    """
    houses = list(selectors.houses_billable_in(period=period))
    if intervals is None:
        intervals = selectors.interval_energy(houses=houses, start=period.start, end=period.end)
    segments = selectors.period_tariff_segments(period=period)
    zone = period.community.zone

    by_day: dict[dt.date, settlement.Settlement] = {}
    segment_index = 0
    for interval in intervals:
        while interval.interval_start >= segments[segment_index].end:
            segment_index += 1
        flows = settlement.interval_flows(
            exported_kwh=wh_to_kwh(interval.exported_wh), imported_kwh=wh_to_kwh(interval.imported_wh)
        )
        tariff = segments[segment_index].tariff
        if tariff.is_break_even:
            house_prices = selectors.break_even_prices(interval, tariff.prices)
            valued = settlement.settle(flows, prices=tariff.prices, p_pv=house_prices.p_pv, p_con=house_prices.p_con)
        else:
            valued = settlement.settle(flows, prices=tariff.prices)
        day = interval.interval_start.astimezone(zone).date()
        by_day[day] = by_day.get(day, settlement.NO_SETTLEMENT) + valued

    days = sorted(by_day.items())
    total = settlement.total(value for _, value in days)
    return Statement(
        community_slug=period.community.slug,
        month=period.month,
        start=period.start,
        end=period.end,
        houses=len(houses),
        days=days,
        total=total,
        break_even_p_con=settlement.break_even_p_con(total),
    )


def _figures(value: settlement.Settlement) -> dict[str, Decimal]:
    flows = value.flows
    return {
        "exported_kwh": flows.exported_kwh,
        "imported_kwh": flows.imported_kwh,
        "grid_delivery_kwh": flows.grid_delivery_kwh,
        "grid_consumption_kwh": flows.grid_consumption_kwh,
        "houses_revenue_ct": value.houses_revenue_ct,
        "houses_cost_ct": value.houses_cost_ct,
        "grid_revenue_ct": value.grid_revenue_ct,
        "grid_cost_ct": value.grid_cost_ct,
        "community_result_ct": value.community_result_ct,
    }


def _statement_rows(statement: Statement):
    rows = [(day.isoformat(), value) for day, value in statement.days] + [("total", statement.total)]
    return ((label, *_figures(value).values()) for label, value in rows)


def statement_to_csv(statement: Statement) -> str:
    """One row per local day, then a ``total`` row; plain decimals (``core.spreadsheets``)."""
    return spreadsheets.to_csv(("day", *FIGURES), _statement_rows(statement))


def statement_to_xlsx(statement: Statement) -> bytes:
    """The CSV's rows as a sheet; the figures are number cells."""
    return spreadsheets.to_xlsx(("day", *FIGURES), _statement_rows(statement), title="statement")


def _json_figures(value: settlement.Settlement) -> dict[str, str]:
    return {name: plain_decimal(figure) for name, figure in _figures(value).items()}


def statement_to_json(statement: Statement) -> str:
    """The statement as JSON. Figures are decimal strings, so no reader turns them into floats."""
    break_even = statement.break_even_p_con
    document = {
        "community": statement.community_slug,
        "period_id": statement.month,
        "period_start": utc_timestamp(statement.start),
        "period_end": utc_timestamp(statement.end - LAST_SECOND),
        "houses": statement.houses,
        "break_even_p_con_ct_per_kwh": None if break_even is None else plain_decimal(break_even),
        "total": _json_figures(statement.total),
        "days": [{"day": day.isoformat(), **_json_figures(value)} for day, value in statement.days],
    }
    return json.dumps(document, indent=2) + "\n"


def _settlement_from(figures: dict[str, str]) -> settlement.Settlement:
    value = {name: Decimal(figures[name]) for name in FIGURES}
    return settlement.Settlement(
        flows=settlement.Flows(
            value["exported_kwh"], value["imported_kwh"], value["grid_delivery_kwh"], value["grid_consumption_kwh"]
        ),
        houses_revenue_ct=value["houses_revenue_ct"],
        houses_cost_ct=value["houses_cost_ct"],
        grid_revenue_ct=value["grid_revenue_ct"],
        grid_cost_ct=value["grid_cost_ct"],
    )


def _utc(timestamp: str) -> dt.datetime:
    return dt.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)


def statement_from_json(content: str, *, frozen_at: dt.datetime | None = None) -> Statement:
    """The inverse of ``statement_to_json``: figures back to Decimal (never through float)."""
    document = json.loads(content)
    break_even = document["break_even_p_con_ct_per_kwh"]
    return Statement(
        community_slug=document["community"],
        month=document["period_id"],
        start=_utc(document["period_start"]),
        end=_utc(document["period_end"]) + LAST_SECOND,
        houses=document["houses"],
        days=[(dt.date.fromisoformat(day["day"]), _settlement_from(day)) for day in document["days"]],
        total=_settlement_from(document["total"]),
        break_even_p_con=None if break_even is None else Decimal(break_even),
        frozen_at=frozen_at,
    )
