"""The houses' readings valued at prices that change every interval (break-even tariffs).

The community's energy per interval is summed by the database (once per close: its steps read the
totals stored at its start, ``period_interval_energy``); the break-even house prices of
each interval follow from it in Python (a few thousand intervals a month, never a loop over
readings); the database then values every house's readings at its interval's prices in one
grouped join. Prices travel as integers of 1e-8 ct/kWh (``settlement.BREAK_EVEN_PRICE_PLACES``)
and energy as Wh, so each house's amount is an exact integer sum on SQLite and PostgreSQL alike.
That sum has eleven decimals of a cent; an invoice keeps seven (what SQLite stores exactly), so
each house's amount is rounded once, half up, to 1e-7 ct, and the houses' amounts add up to the
community statement to within 1e-7 ct per house.
"""

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction

from core.energy import wh_to_kwh
from metering.models import MeterReading

from .. import settlement
from ..pricing import Prices, TariffSegment
from .readings import IntervalEnergy, period_interval_energy

PRICE_UNITS_PER_CT = 10**8  # one unit is 1e-8 ct/kWh, the break-even price precision
AMOUNT_SCALE = -11  # Wh x (1e-8 ct/kWh) = 1e-11 ct
INVOICE_AMOUNT_PLACES = Decimal("1e-7")  # the decimal places of Invoice's *_ct fields


@dataclass(frozen=True)
class HouseValue:
    """A house's energy and its value at per-interval prices over some intervals."""

    exported_wh: int
    imported_wh: int
    export_revenue_ct: Decimal
    import_cost_ct: Decimal


def break_even_prices(interval: IntervalEnergy, prices: Prices) -> settlement.HousePrices:
    return settlement.break_even_house_prices(
        exported_kwh=wh_to_kwh(interval.exported_wh), imported_kwh=wh_to_kwh(interval.imported_wh), prices=prices
    )


def _price_units(price: Decimal) -> int:
    units = price * PRICE_UNITS_PER_CT
    if units != units.to_integral_value():
        raise ValueError(f"{price} ct/kWh is finer than the break-even price precision of 1e-8 ct/kWh.")
    return int(units)


def _invoice_amount(units) -> Decimal:
    return Decimal(int(units)).scaleb(AMOUNT_SCALE).quantize(INVOICE_AMOUNT_PLACES, rounding=ROUND_HALF_UP)


@contextlib.contextmanager
def interval_prices_table(cursor, rows: list[tuple], *, with_day: bool = False):
    """A temporary table ``interval_prices`` of ``(interval_start[, day], pv_units, con_units)`` rows.

    Typed like the readings' ``interval_start`` and keyed by it, so the database looks each
    reading's interval up: a VALUES list has no column type, and SQLite then scanned all of it for
    every reading. Made and dropped inside one savepoint, so an error leaves no table behind.
    Filled by multi-row INSERTs as large as the database takes (one on PostgreSQL): a statement
    per row (``executemany``) cost PostgreSQL up to 0.7 s per close step at 3,000 intervals.
    """
    datetime_type = MeterReading._meta.get_field("interval_start").db_type(connection)
    columns = ["interval_start", *(["day"] if with_day else []), "pv_units", "con_units"]
    with transaction.atomic():
        cursor.execute(
            f"CREATE TEMPORARY TABLE interval_prices (interval_start {datetime_type} PRIMARY KEY, "
            f"{'day integer, ' if with_day else ''}pv_units bigint, con_units bigint)"
        )
        row_sql = f"({', '.join(['%s'] * len(columns))})"
        for batch in itertools.batched(rows, connection.ops.bulk_batch_size(columns, rows) or 1):
            cursor.execute(
                f"INSERT INTO interval_prices ({', '.join(columns)}) VALUES {', '.join([row_sql] * len(batch))}",
                [value for row in batch for value in row],
            )
        yield
        cursor.execute("DROP TABLE interval_prices")


def house_values_at_interval_prices(
    *, houses, prices_by_interval: dict[dt.datetime, settlement.HousePrices]
) -> dict[int, HouseValue]:
    """Each house's readings in the given intervals valued at that interval's prices.

    One grouped join of the readings with the interval prices (``interval_prices_table``).
    Houses without readings in those intervals are left out.
    """
    if not prices_by_interval:
        return {}
    house_ids = [house.pk for house in houses]
    if not house_ids:
        return {}
    adapt = connection.ops.adapt_datetimefield_value
    price_rows = [
        (adapt(interval_start), _price_units(house_prices.p_pv), _price_units(house_prices.p_con))
        for interval_start, house_prices in prices_by_interval.items()
    ]
    sql = (
        "SELECT r.house_id, SUM(r.exported_wh), SUM(r.imported_wh), "
        "SUM(r.exported_wh * p.pv_units), SUM(r.imported_wh * p.con_units) "
        f"FROM {MeterReading._meta.db_table} r JOIN interval_prices p ON r.interval_start = p.interval_start "
        f"WHERE r.house_id IN ({', '.join(['%s'] * len(house_ids))}) GROUP BY r.house_id"
    )
    with connection.cursor() as cursor, interval_prices_table(cursor, price_rows):
        cursor.execute(sql, house_ids)
        rows = cursor.fetchall()
    return {
        house_id: HouseValue(
            exported_wh=int(exported),
            imported_wh=int(imported),
            export_revenue_ct=_invoice_amount(revenue_units),
            import_cost_ct=_invoice_amount(cost_units),
        )
        for house_id, exported, imported, revenue_units, cost_units in rows
    }


def break_even_values_by_segment(*, period, segments: list[TariffSegment], houses) -> dict[int, dict[int, HouseValue]]:
    """``{segment_index: {house_pk: value}}`` for the period's break-even segments.

    Interval prices follow from all houses billed in the period, even when ``houses`` is one
    batch of a close: every house of an interval pays the same price.
    """
    break_even = [(index, segment) for index, segment in enumerate(segments) if segment.tariff.is_break_even]
    if not break_even:
        return {}
    intervals = period_interval_energy(period=period, start=break_even[0][1].start, end=break_even[-1][1].end)
    values = {}
    for index, segment in break_even:
        prices = {
            interval.interval_start: break_even_prices(interval, segment.tariff.prices)
            for interval in intervals
            if segment.start <= interval.interval_start < segment.end
        }
        values[index] = house_values_at_interval_prices(houses=houses, prices_by_interval=prices)
    return values
