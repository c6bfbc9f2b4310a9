"""The prices a house was actually charged, per local day, in break-even months (for its invoice).

Break-even prices change every interval; a member's day price is what their energy of that day
cost on average: the sum of each interval's energy times that interval's price, over the day's
energy. The community's interval prices follow from its summed energy (``break_even``); the
database then sums each house's readings times its interval's prices, grouped by house and local
day, in one query per period (the day travels in the interval prices table, so no vendor's date
functions).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from metering.models import MeterReading

from ..pricing import PRICE_PLACES
from .break_even import PRICE_UNITS_PER_CT, _price_units, break_even_prices, interval_prices_table
from .readings import period_interval_energy
from .tariffs import period_tariff_segments


@dataclass(frozen=True)
class DayPrices:
    """A house's energy-weighted prices of one local day, ct/kWh; None when it had no such energy."""

    day: dt.date
    p_pv_ct_per_kwh: Decimal | None
    p_con_ct_per_kwh: Decimal | None


def _interval_prices(period) -> dict[dt.datetime, tuple[int, int]]:
    """``{interval_start: (pv_units, con_units)}`` of the period's break-even intervals."""
    prices = {}
    segments = [segment for segment in period_tariff_segments(period=period) if segment.tariff.is_break_even]
    if not segments:
        return prices
    intervals = period_interval_energy(period=period, start=segments[0].start, end=segments[-1].end)
    for segment in segments:
        for interval in intervals:
            if segment.start <= interval.interval_start < segment.end:
                house_prices = break_even_prices(interval, segment.tariff.prices)
                prices[interval.interval_start] = (_price_units(house_prices.p_pv), _price_units(house_prices.p_con))
    return prices


def _average(units, energy_wh) -> Decimal | None:
    if not energy_wh:
        return None
    return (Decimal(int(units)) / Decimal(int(energy_wh)) / PRICE_UNITS_PER_CT).quantize(
        PRICE_PLACES, rounding=ROUND_HALF_UP
    )


def break_even_day_prices(*, period, house_ids) -> dict[int, list[DayPrices]]:
    """``{house_pk: [DayPrices, ...]}`` in day order, for the period's break-even days; ``{}`` if none."""
    prices = _interval_prices(period)
    house_ids = list(house_ids)
    if not prices or not house_ids:
        return {}
    zone, adapt = period.community.zone, connection.ops.adapt_datetimefield_value
    rows = [
        (adapt(interval_start), interval_start.astimezone(zone).date().toordinal(), pv_units, con_units)
        for interval_start, (pv_units, con_units) in prices.items()
    ]
    sql = (
        "SELECT r.house_id, p.day, SUM(r.exported_wh), SUM(r.imported_wh), "
        "SUM(r.exported_wh * p.pv_units), SUM(r.imported_wh * p.con_units) "
        f"FROM {MeterReading._meta.db_table} r JOIN interval_prices p ON r.interval_start = p.interval_start "
        f"WHERE r.house_id IN ({', '.join(['%s'] * len(house_ids))}) GROUP BY r.house_id, p.day ORDER BY p.day"
    )
    with connection.cursor() as cursor, interval_prices_table(cursor, rows, with_day=True):
        cursor.execute(sql, house_ids)
        result: dict[int, list[DayPrices]] = {}
        for house_id, day, exported, imported, revenue_units, cost_units in cursor.fetchall():
            result.setdefault(house_id, []).append(
                DayPrices(
                    dt.date.fromordinal(int(day)), _average(revenue_units, exported), _average(cost_units, imported)
                )
            )
    return result
