"""Checks over the whole file's valid rows: repeated intervals, houses' active days, frozen ranges.

Each takes the compact arrays the engine keeps (house pk, UTC seconds, file row) and reports into
an ``ErrorCollector``: numpy for the rows, one query per check at most.
"""

import calendar
import datetime as dt

import numpy as np

from communities.models import Community, House
from core.admin import local_span
from core.local_time import local_midnight
from metering.models import FrozenRange

from .errors import ErrorCollector, LazyText, utc_text


def utc_seconds(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def implausible_message(community: Community, limit_wh: int) -> str:
    return (
        f"is more than {limit_wh / 1000:g} kWh, the most one house can plausibly exchange in a "
        f"{community.interval_minutes}-minute interval in {community.slug} "
        f"({community.max_kwh_per_quarter_hour.normalize():f} kWh per quarter hour). Check the unit (kWh, not Wh) and the "
        "value; if it is right, raise the community's limit in the admin."
    )


def drop_duplicates(house, at_s, first, second, row, *, errors, house_names, column):
    """Identical repeated rows count once; the same house and instant with other values is an error."""
    if len(house) < 2:
        return house, at_s, first, second, row
    order = np.lexsort((row, at_s, house))
    house, at_s, first, second, row = house[order], at_s[order], first[order], second[order], row[order]
    same = (house[1:] == house[:-1]) & (at_s[1:] == at_s[:-1])
    if not same.any():
        return house, at_s, first, second, row
    conflict = same & ((first[1:] != first[:-1]) | (second[1:] != second[:-1]))
    for index in errors.listed_hits(conflict):
        errors.add(
            int(row[index + 1]),
            column,
            utc_text(at_s[index + 1]),
            f"{house_names[int(house[index])]} has another row for this interval (row {int(row[index])}) with "
            "different values. Keep the right one and delete the other.",
        )
    keep = np.ones(len(house), dtype=bool)
    keep[1:] = ~same
    return house[keep], at_s[keep], first[keep], second[keep], row[keep]


def check_active(community, house, at_s, row, *, errors: ErrorCollector, column: str) -> None:
    """Readings of a house on days it did not belong to the community: they would be billed to it.

    Vectorised: each row's house gets its active range by position; the per-house messages are
    built only for the houses that have such rows.
    """
    if not len(house):
        return
    houses = {obj.pk: obj for obj in House.objects.filter(pk__in=np.unique(house).tolist()).select_related("community")}
    pks = np.array(sorted(houses), dtype=np.int64)
    no_end = np.iinfo(np.int64).max
    starts = np.array([utc_seconds(houses[pk].active_range()[0]) for pk in pks], dtype=np.int64)
    ends = np.array(
        [no_end if (end := houses[pk].active_range()[1]) is None else utc_seconds(end) for pk in pks], dtype=np.int64
    )
    position = np.searchsorted(pks, house)
    outside = (at_s < starts[position]) | (at_s >= ends[position])
    for pk in np.unique(house[outside]).tolist():
        obj = houses[pk]
        active = f"active from {obj.active_from:%Y-%m-%d}" + (
            f" until {obj.active_until:%Y-%m-%d}" if obj.active_until else ""
        )
        errors.add_many(
            outside & (house == pk),
            row,
            column,
            LazyText(at_s),
            f"is outside the days {obj.house_id} belongs to {community.slug} ({active}, local dates). "
            "Remove these rows, or correct the house's active dates in the admin if they are wrong.",
        )


def check_frozen(community, house, at_s, row, *, errors: ErrorCollector, column: str) -> None:
    """Readings inside a FrozenRange of the community: one query for the ranges, numpy for the rows.

    One error per closed range, not one per row: a re-import of a closed month refuses each of its
    rows for the same reason, and 2,976 identical lines would hide the one thing to do.
    """
    for start, end, reason in FrozenRange.objects.filter(community=community).values_list("start", "end", "reason"):
        inside = (at_s >= utc_seconds(start)) & (at_s < utc_seconds(end))
        if not inside.any():
            continue
        rows = row[inside]
        count = int(inside.sum())
        errors.add(
            int(rows.min()),
            column,
            "",
            f"{closed_span(start, end, community.zone)} is closed ({reason}): {count:,} "
            f"{'row' if count == 1 else 'rows'} refused (file rows {int(rows.min())} to {int(rows.max())}). "
            "Meter data of a closed period never changes: remove that period's rows from the file; "
            "a wrong invoice is corrected by cancelling it.",
        )


def closed_span(start: dt.datetime, end: dt.datetime, zone) -> str:
    """``March 2026`` for a range that is one local calendar month, else its local bounds."""
    first = start.astimezone(zone).date()
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if first.day == 1 and (start, end) == (local_midnight(first, zone), local_midnight(following, zone)):
        return f"{calendar.month_name[first.month]} {first.year}"
    return local_span(start, end, zone)
