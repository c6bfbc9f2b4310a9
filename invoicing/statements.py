"""The community statement of a settlement period: what per-interval netting means in money.

The database sums the houses' energy per interval (one grouped query, a few thousand rows a
month); netting and valuation then run once per interval, never per reading.
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal

from django.utils.safestring import mark_safe

from core.energy import wh_to_kwh
from core.formatting import ct_per_kwh, eur, kwh
from core.local_time import month_first_days

from . import interval_pricing, pricing, selectors, settlement, statement_charts
from .documents import long_date
from .exports import plain_decimal, utc_timestamp
from .models import SettlementPeriod

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
class CommunityStatement:
    period: SettlementPeriod
    houses: int
    days: list[tuple[dt.date, settlement.Settlement]]
    total: settlement.Settlement

    @property
    def break_even_p_con(self) -> Decimal | None:
        return settlement.break_even_p_con(self.total)


def community_statement(*, period: SettlementPeriod) -> CommunityStatement:
    houses = list(selectors.houses_billable_in(period=period))
    tariffs = selectors.tariffs_for_range(community=period.community, start=period.start, end=period.end)
    segments = pricing.tariff_segments(tariffs, period.start, period.end)
    zone = period.community.zone

    by_day: dict[dt.date, settlement.Settlement] = {}
    segment_index = 0
    for interval in interval_pricing.interval_energy(houses=houses, start=period.start, end=period.end):
        while interval.interval_start >= segments[segment_index].end:
            segment_index += 1
        flows = settlement.interval_flows(
            exported_kwh=wh_to_kwh(interval.exported_wh), imported_kwh=wh_to_kwh(interval.imported_wh)
        )
        tariff = segments[segment_index].tariff
        if tariff.is_break_even:
            house_prices = interval_pricing.break_even_prices(interval, tariff.prices)
            valued = settlement.settle(flows, prices=tariff.prices, p_pv=house_prices.p_pv, p_con=house_prices.p_con)
        else:
            valued = settlement.settle(flows, prices=tariff.prices)
        day = interval.interval_start.astimezone(zone).date()
        by_day[day] = by_day.get(day, settlement.NO_SETTLEMENT) + valued

    days = sorted(by_day.items())
    return CommunityStatement(
        period=period, houses=len(houses), days=days, total=settlement.total(value for _, value in days)
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


def statement_to_csv(statement: CommunityStatement) -> str:
    """One row per local day, then a ``total`` row; plain decimals."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("day", *FIGURES))
    rows = [(day.isoformat(), value) for day, value in statement.days] + [("total", statement.total)]
    for label, value in rows:
        writer.writerow((label, *(plain_decimal(figure) for figure in _figures(value).values())))
    return buffer.getvalue()


def _json_figures(value: settlement.Settlement) -> dict[str, str]:
    return {name: plain_decimal(figure) for name, figure in _figures(value).items()}


def statement_to_json(statement: CommunityStatement) -> str:
    """The statement as JSON. Figures are decimal strings, so no reader turns them into floats."""
    period = statement.period
    break_even = statement.break_even_p_con
    document = {
        "community": period.community.slug,
        "period_id": period.period_id,
        "period_start": utc_timestamp(period.start),
        "period_end": utc_timestamp(period.end - LAST_SECOND),
        "houses": statement.houses,
        "break_even_p_con_ct_per_kwh": None if break_even is None else plain_decimal(break_even),
        "total": _json_figures(statement.total),
        "days": [{"day": day.isoformat(), **_json_figures(value)} for day, value in statement.days],
    }
    return json.dumps(document, indent=2) + "\n"


@dataclass(frozen=True)
class FrozenStatement:
    """A statement read back from its frozen JSON: what a closed period's page and PDF show."""

    header: dict
    days: list[tuple[dt.date, settlement.Settlement]]
    total: settlement.Settlement

    @property
    def houses(self) -> int:
        return self.header["houses"]

    @property
    def break_even_p_con(self) -> Decimal | None:
        value = self.header["break_even_p_con_ct_per_kwh"]
        return None if value is None else Decimal(value)


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


def statement_from_json(content: str) -> FrozenStatement:
    """The inverse of ``statement_to_json``: figures back to Decimal (never through float)."""
    document = json.loads(content)
    days = [(dt.date.fromisoformat(day["day"]), _settlement_from(day)) for day in document["days"]]
    header = {key: value for key, value in document.items() if key not in ("days", "total")}
    return FrozenStatement(header=header, days=days, total=_settlement_from(document["total"]))


def display_rows(statement: CommunityStatement | FrozenStatement) -> list[dict]:
    """Each day and the total as pages show them: kWh to three places, money in EUR."""
    labelled = [(day.isoformat(), value) for day, value in statement.days] + [("Total", statement.total)]
    return [
        {
            "label": label,
            "energy": [
                kwh(figure)
                for figure in (
                    value.flows.exported_kwh,
                    value.flows.imported_kwh,
                    value.flows.grid_delivery_kwh,
                    value.flows.grid_consumption_kwh,
                )
            ],
            "money": [
                eur(figure)
                for figure in (value.houses_revenue_ct, value.houses_cost_ct, value.grid_revenue_ct, value.grid_cost_ct)
            ],
            "result": eur(value.community_result_ct),
            "gain": value.community_result_ct >= 0,
        }
        for label, value in labelled
    ]


def display_context(statement: CommunityStatement | FrozenStatement, *, font_family: str = "sans-serif") -> dict:
    """What the admin's statement panel and the statement PDF share: rows, break-even price, charts."""
    rows = display_rows(statement)
    break_even = statement.break_even_p_con
    return {
        "statement": statement,
        "days": rows[:-1],
        "total": rows[-1],
        "break_even_p_con": None if break_even is None else ct_per_kwh(break_even),
        # The chart functions escape everything they write.
        "energy_chart": mark_safe(statement_charts.energy_per_day_svg(statement.days, font_family=font_family)),
        "result_chart": mark_safe(statement_charts.result_per_day_svg(statement.days, font_family=font_family)),
    }


def statement_pdf_context(frozen: FrozenStatement, *, community, font_family: str) -> dict:
    """What ``templates/invoicing/pdf/statement.html`` shows."""
    first_day, following_day = month_first_days(frozen.header["period_id"])
    return {
        **display_context(frozen, font_family=font_family),
        "community": community,
        "header": frozen.header,
        "period": f"{long_date(first_day)} \u2013 {long_date(following_day - dt.timedelta(days=1))}",
    }
