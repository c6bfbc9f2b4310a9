"""Checks over the whole file's valid rows: repeated intervals, houses' active days, frozen ranges.

Each takes the compact arrays the engine keeps (house pk, UTC seconds, file row) and reports into
an ``ErrorCollector``: numpy for the rows, one query per check at most.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from babel.dates import format_date
from django.utils.translation import gettext, ngettext

from communities.models import Community, House
from core.admin import local_span
from core.local_format import active_language, locale_of, whole_number
from core.local_time import local_midnight
from metering.frozen import FROZEN_REASONS
from metering.models import FrozenRange

from .errors import ErrorCollector, LazyText, utc_text


def utc_seconds(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def implausible_message(community: Community, limit_wh: int) -> str:
    return gettext(
        "is more than %(limit)s kWh, the most one house can plausibly exchange in a %(minutes)s-minute "
        "interval in %(community)s (%(per_quarter_hour)s kWh per quarter hour). Check the unit (kWh, not Wh) "
        "and the value; if it is right, raise the community's limit in the admin."
    ) % {
        "limit": f"{limit_wh / 1000:g}",
        "minutes": community.interval_minutes,
        "community": community.slug,
        "per_quarter_hour": f"{community.max_kwh_per_quarter_hour.normalize():f}",
    }


@dataclass
class _Seen:
    """The distinct intervals of one earlier chunk: sorted keys, and the latest row of each so far."""

    keys: np.ndarray
    row: np.ndarray
    first: np.ndarray
    second: np.ndarray
    houses: tuple[int, int]
    instants: tuple[int, int]

    def overlaps(self, house: np.ndarray, at_s: np.ndarray) -> bool:
        return bool(
            house[0] <= self.houses[1]
            and house.max() >= self.houses[0]
            and at_s.min() <= self.instants[1]
            and at_s.max() >= self.instants[0]
        )


def interval_keys(house: np.ndarray, at_s: np.ndarray) -> np.ndarray:
    """One int64 per house and instant, in (house, instant) order: pks fit in 31 bits, seconds in 32."""
    return (house.astype(np.int64) << 32) | at_s.astype(np.int64)


class RepeatedRows:
    """Identical repeated rows count once; the same house and instant with other values is an error.

    Fed chunk by chunk, it answers as if the whole file were sorted at once: each row is compared
    with the latest earlier row of its interval. It keeps ~28 bytes per distinct interval, not the
    rows; a chunk is searched only against earlier chunks whose houses and instants overlap it.
    """

    def __init__(self, *, house_names: dict[int, str], column: str):
        self.house_names = house_names
        self.column = column
        self.seen: list[_Seen] = []
        self.count = 0

    def distinct(self, house, at_s, first, second, row, *, errors: ErrorCollector):
        """The chunk's intervals not seen before, sorted by house and instant, each at its first row."""
        if not len(house):
            return house, at_s, first, second, row
        order = np.lexsort((row, at_s, house))
        house, at_s, first, second, row = house[order], at_s[order], first[order], second[order], row[order]
        same = (house[1:] == house[:-1]) & (at_s[1:] == at_s[:-1])
        conflict = same & ((first[1:] != first[:-1]) | (second[1:] != second[:-1]))
        for index in errors.listed_hits(conflict):
            self._report(errors, house[index], at_s[index + 1], row[index + 1], row[index])
        starts = np.flatnonzero(np.concatenate(([True], ~same)))
        ends = np.flatnonzero(np.concatenate((~same, [True])))
        keys = interval_keys(house[starts], at_s[starts])
        new = np.ones(len(keys), dtype=bool)
        for earlier in self.seen:
            if len(keys) and earlier.overlaps(house[starts], at_s[starts]):
                new &= ~self._against(earlier, keys, starts, ends, (house, at_s, first, second, row), errors)
        if new.any():
            self.seen.append(
                _Seen(
                    keys=keys[new],
                    row=row[ends[new]].astype(np.int32),
                    first=first[ends[new]],
                    second=second[ends[new]],
                    houses=(int(house[starts[new]][0]), int(house[starts[new]][-1])),
                    instants=(int(at_s[starts[new]].min()), int(at_s[starts[new]].max())),
                )
            )
        self.count += int(new.sum())
        kept = starts[new]
        return house[kept], at_s[kept], first[kept], second[kept], row[kept]

    def _against(self, earlier: _Seen, keys, starts, ends, rows, errors: ErrorCollector) -> np.ndarray:
        """Which of ``keys`` ``earlier`` holds; reports those whose values differ and moves its latest row on."""
        house, at_s, first, second, row = rows
        position = np.minimum(np.searchsorted(earlier.keys, keys), len(earlier.keys) - 1)
        hit = earlier.keys[position] == keys
        differ = hit & ((earlier.first[position] != first[starts]) | (earlier.second[position] != second[starts]))
        for index in errors.listed_hits(differ):
            at = starts[index]
            self._report(errors, house[at], at_s[at], row[at], earlier.row[position[index]])
        earlier.row[position[hit]] = row[ends[hit]]
        earlier.first[position[hit]] = first[ends[hit]]
        earlier.second[position[hit]] = second[ends[hit]]
        return hit

    def _report(self, errors: ErrorCollector, house, at_s, row, earlier_row) -> None:
        errors.add(
            int(row),
            self.column,
            utc_text(at_s),
            gettext(
                "%(house)s has another row for this interval (row %(row)s) with different values. "
                "Keep the right one and delete the other."
            )
            % {"house": self.house_names[int(house)], "row": int(earlier_row)},
        )


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
        errors.add_many(outside & (house == pk), row, column, LazyText(at_s), _outside_message(obj, community))


def _outside_message(house: House, community: Community) -> str:
    values = {
        "house": house.house_id,
        "community": community.slug,
        "from": f"{house.active_from:%Y-%m-%d}",
        "until": f"{house.active_until:%Y-%m-%d}" if house.active_until else "",
    }
    if house.active_until:
        message = gettext(
            "is outside the days %(house)s belongs to %(community)s (active from %(from)s until %(until)s, "
            "local dates). Remove these rows, or correct the house's active dates in the admin if they are wrong."
        )
    else:
        message = gettext(
            "is outside the days %(house)s belongs to %(community)s (active from %(from)s, local dates). "
            "Remove these rows, or correct the house's active dates in the admin if they are wrong."
        )
    return message % values


class FrozenRows:
    """Readings inside a FrozenRange of the community, tallied chunk by chunk: one query for the
    ranges, numpy for the rows.

    One error per closed range, not one per row: a re-import of a closed month refuses each of its
    rows for the same reason, and 2,976 identical lines would hide the one thing to do.
    """

    def __init__(self, community: Community):
        self.community = community
        self.ranges = list(FrozenRange.objects.filter(community=community).values_list("start", "end", "reason"))
        self.bounds = [(utc_seconds(start), utc_seconds(end)) for start, end, _ in self.ranges]
        self.count = [0] * len(self.ranges)
        self.rows = [(np.iinfo(np.int64).max, 0)] * len(self.ranges)

    @property
    def hits(self) -> bool:
        return any(self.count)

    def tally(self, at_s: np.ndarray, row: np.ndarray) -> None:
        for index, (start_s, end_s) in enumerate(self.bounds):
            inside = (at_s >= start_s) & (at_s < end_s)
            if inside.any():
                rows = row[inside]
                self.count[index] += int(inside.sum())
                low, high = self.rows[index]
                self.rows[index] = (min(low, int(rows.min())), max(high, int(rows.max())))

    def report(self, *, errors: ErrorCollector, column: str) -> None:
        for (start, end, reason), count, (first_row, last_row) in zip(self.ranges, self.count, self.rows, strict=True):
            if not count:
                continue
            message = ngettext(
                "%(span)s is closed (%(reason)s): %(count)s row refused (file rows %(first)s to %(last)s). "
                "Meter data of a closed period never changes: remove that period's rows from the file; "
                "a wrong invoice is corrected by cancelling it.",
                "%(span)s is closed (%(reason)s): %(count)s rows refused (file rows %(first)s to %(last)s). "
                "Meter data of a closed period never changes: remove that period's rows from the file; "
                "a wrong invoice is corrected by cancelling it.",
                count,
            )
            span = closed_span(start, end, self.community.zone)
            values = {
                "span": span,
                "reason": FROZEN_REASONS.shown(reason),
                "count": whole_number(count, active_language()),
                "first": first_row,
                "last": last_row,
            }
            errors.add(first_row, column, "", message % values)


def closed_span(start: dt.datetime, end: dt.datetime, zone) -> str:
    """``March 2026`` for a range that is one local calendar month, else its local bounds."""
    first = start.astimezone(zone).date()
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if first.day == 1 and (start, end) == (local_midnight(first, zone), local_midnight(following, zone)):
        return format_date(first, format="MMMM y", locale=locale_of(active_language()))
    return local_span(start, end, zone)
