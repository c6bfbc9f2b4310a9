"""Sums over the houses' meter readings: per tariff segment, per local day, per interval."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from metering.models import MeterReading

from ..models import PeriodIntervalEnergy
from ..pricing import TariffSegment
from .periods import houses_billable_in


def energy_wh_by_house_and_segment(*, houses, segments: list[TariffSegment]) -> dict[int, list[tuple[int, int]]]:
    """Exported and imported Wh of each house in each tariff segment, in one aggregate query.

    Returns ``{house_pk: [(exported_wh, imported_wh) per segment]}`` for every house given;
    houses without readings get zeros. Integer sums, so exact on SQLite and PostgreSQL alike.
    """
    aggregates = {}
    for index, segment in enumerate(segments):
        in_segment = Q(interval_start__gte=segment.start, interval_start__lt=segment.end)
        aggregates[f"exported_{index}"] = Coalesce(Sum("exported_wh", filter=in_segment), 0)
        aggregates[f"imported_{index}"] = Coalesce(Sum("imported_wh", filter=in_segment), 0)
    rows = (
        MeterReading.objects.filter(
            house__in=houses, interval_start__gte=segments[0].start, interval_start__lt=segments[-1].end
        )
        .order_by()
        .values("house_id")
        .annotate(**aggregates)
    )
    zeros = [(0, 0)] * len(segments)
    totals = {house.pk: zeros for house in houses}
    for row in rows:
        totals[row["house_id"]] = [(row[f"exported_{i}"], row[f"imported_{i}"]) for i in range(len(segments))]
    return totals


def daily_energy_wh(
    *, house_ids, start: dt.datetime, end: dt.datetime, zone
) -> dict[int, list[tuple[dt.date, int, int]]]:
    """Exported and imported Wh per house and local day in ``[start, end)``, in one aggregate query."""
    rows = (
        MeterReading.objects.filter(house_id__in=list(house_ids), interval_start__gte=start, interval_start__lt=end)
        .annotate(day=TruncDate("interval_start", tzinfo=zone))
        .order_by()
        .values("house_id", "day")
        .annotate(exported=Sum("exported_wh"), imported=Sum("imported_wh"))
        .order_by("house_id", "day")
    )
    result: dict[int, list[tuple[dt.date, int, int]]] = {}
    for row in rows:
        result.setdefault(row["house_id"], []).append((row["day"], row["exported"], row["imported"]))
    return result


@dataclass(frozen=True)
class IntervalEnergy:
    interval_start: dt.datetime
    exported_wh: int
    imported_wh: int


def interval_energy(*, houses, start: dt.datetime, end: dt.datetime) -> list[IntervalEnergy]:
    """The houses' summed energy per interval of ``[start, end)``, in one grouped query."""
    rows = interval_energy_sums(houses=houses, start=start, end=end).order_by("interval_start")
    return [IntervalEnergy(*row) for row in rows]


def interval_energy_sums(*, houses, start: dt.datetime, end: dt.datetime):
    """The grouped query behind ``interval_energy``, unordered and unevaluated: rows of
    ``(interval_start, exported, imported)``, for a caller that stores them in the database."""
    return (
        MeterReading.objects.filter(house__in=houses, interval_start__gte=start, interval_start__lt=end)
        .order_by()
        .values("interval_start")
        .annotate(exported=Sum("exported_wh"), imported=Sum("imported_wh"))
        .values_list("interval_start", "exported", "imported")
    )


def period_interval_energy(*, period, start: dt.datetime, end: dt.datetime) -> list[IntervalEnergy]:
    """The period's billed houses' summed energy per interval of ``[start, end)``.

    From the totals its close stored when it froze the meter data; without them (an open period,
    or no readings in the range, where summing costs nothing) from the readings.
    """
    stored = (
        PeriodIntervalEnergy.objects.filter(period=period, interval_start__gte=start, interval_start__lt=end)
        .order_by("interval_start")
        .values_list("interval_start", "exported_wh", "imported_wh")
    )
    return [IntervalEnergy(*row) for row in stored] or interval_energy(
        houses=houses_billable_in(period=period), start=start, end=end
    )
