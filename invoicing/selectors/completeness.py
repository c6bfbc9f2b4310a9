"""Completeness: are all the readings there before a close?"""

import datetime as dt
import operator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Count, Q
from django.utils.translation import gettext, ngettext

from communities.models import House
from core.local_format import active_language, whole_number
from core.local_time import interval_count, local_midnight, month_first_days
from metering.models import MeterReading

from ..models import SettlementPeriod


@dataclass(frozen=True)
class HouseCompleteness:
    """Expected and present intervals of one house over the local days it was active in a period."""

    house_pk: int
    house_id: str
    house_name: str
    first_day: dt.date
    last_day: dt.date
    expected: int
    present: int
    estimated: int = 0  # present readings the live feed spread over an outage

    @property
    def missing(self) -> int:
        return max(self.expected - self.present, 0)

    @property
    def complete(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class Completeness:
    houses: list[HouseCompleteness]

    @property
    def expected(self) -> int:
        return sum(house.expected for house in self.houses)

    @property
    def present(self) -> int:
        return sum(min(house.present, house.expected) for house in self.houses)

    @property
    def missing(self) -> int:
        return sum(house.missing for house in self.houses)

    @property
    def estimated(self) -> int:
        return sum(house.estimated for house in self.houses)

    @property
    def with_gaps(self) -> list[HouseCompleteness]:
        return [house for house in self.houses if not house.complete]

    @property
    def complete(self) -> bool:
        return not self.with_gaps

    def summary(self) -> str:
        """One or two sentences for the period page and the gate's refusals, in the active language."""
        language = active_language()
        text = self._counts(language)
        if self.estimated:
            text += " " + ngettext(
                "%(count)s of the present intervals is estimated (spread over a meter feed outage).",
                "%(count)s of the present intervals are estimated (spread over a meter feed outage).",
                self.estimated,
            ) % {"count": whole_number(self.estimated, language)}
        return text

    def _counts(self, language: str) -> str:
        if not self.houses:
            return gettext("No house is active in the period.")
        counts = {
            "houses": whole_number(len(self.houses), language),
            "present": whole_number(self.present, language),
            "missing": whole_number(self.missing, language),
            "expected": whole_number(self.expected, language),
        }
        if self.complete:
            return (
                ngettext(
                    "The house is complete: %(present)s of %(expected)s intervals.",
                    "All %(houses)s houses complete: %(present)s of %(expected)s intervals.",
                    len(self.houses),
                )
                % counts
            )
        return ngettext(
            "%(with_gaps)s of %(houses)s houses has gaps: %(missing)s of %(expected)s intervals missing.",
            "%(with_gaps)s of %(houses)s houses have gaps: %(missing)s of %(expected)s intervals missing.",
            len(self.with_gaps),
        ) % {**counts, "with_gaps": whole_number(len(self.with_gaps), language)}


def period_completeness(*, period: SettlementPeriod) -> Completeness:
    """For every house active in the period: intervals expected on its active local days, and present.

    Expected counts follow the community's calendar: a Berlin quarter-hour day has 92, 96 or 100
    intervals, and a house that joins or leaves mid-month is expected only on its days.
    """
    return periods_completeness(periods=[period])[period.pk]


def periods_completeness(*, periods) -> dict[int, Completeness]:
    """``period_completeness`` of several periods (of any communities) in two queries, whatever
    their number: one for the houses, one counting every house's readings on its active days, a
    conditional count per distinct active range (normally one per period: everybody stays the month).
    """
    periods = list(periods)
    if not periods:
        return {}
    houses_by_period = _houses_billable_in_periods(periods)
    ranges: dict[tuple[int, dt.date, dt.date], list[House]] = {}
    bounds: dict[tuple[int, dt.date, dt.date], tuple[dt.datetime, dt.datetime]] = {}
    for period in periods:
        zone = period.community.zone
        first_day, following_day = month_first_days(period.month)
        last_day = following_day - dt.timedelta(days=1)
        for house in houses_by_period[period.pk]:
            house_first = max(first_day, house.active_from)
            house_last = min(last_day, house.active_until) if house.active_until else last_day
            key = (period.pk, house_first, house_last)
            ranges.setdefault(key, []).append(house)
            bounds[key] = (local_midnight(house_first, zone), local_midnight(house_last + dt.timedelta(days=1), zone))
    present = _present_counts(ranges, bounds)
    result: dict[int, list[HouseCompleteness]] = {period.pk: [] for period in periods}
    interval_minutes = {period.pk: period.community.interval_minutes for period in periods}
    for key, members in ranges.items():
        period_pk, house_first, house_last = key
        expected = interval_count(*bounds[key], interval_minutes[period_pk])
        result[period_pk].extend(
            HouseCompleteness(
                house_pk=house.pk,
                house_id=house.house_id,
                house_name=house.name,
                first_day=house_first,
                last_day=house_last,
                expected=expected,
                present=present.get((key, house.pk), (0, 0))[0],
                estimated=present.get((key, house.pk), (0, 0))[1],
            )
            for house in members
        )
    return {
        period_pk: Completeness(houses=sorted(houses, key=lambda house: house.house_id))
        for period_pk, houses in result.items()
    }


def _houses_billable_in_periods(periods) -> dict[int, list[House]]:
    """``houses_billable_in`` of each period, in one query."""
    wanted = []
    for period in periods:
        first_day, following_day = month_first_days(period.month)
        wanted.append(
            Q(community_id=period.community_id, active_from__lt=following_day)
            & (Q(active_until__isnull=True) | Q(active_until__gte=first_day))
        )
    houses = list(House.objects.filter(reduce(operator.or_, wanted)).order_by("house_id"))
    by_period: dict[int, list[House]] = {period.pk: [] for period in periods}
    for period in periods:
        first_day, following_day = month_first_days(period.month)
        by_period[period.pk] = [
            house
            for house in houses
            if house.community_id == period.community_id
            and house.active_from < following_day
            and (house.active_until is None or house.active_until >= first_day)
        ]
    return by_period


def _present_counts(ranges: dict, bounds: dict) -> dict:
    """``{(range key, house pk): (readings, estimated readings)}`` in one grouped query.

    The houses' lists stand once each in the WHERE, one per distinct pair of bounds (normally one
    per period: everybody stays the month); the counts filter on the bounds alone, and with one
    pair of bounds not at all: repeating a list of 2,000 houses in every FILTER made the database
    look each reading's house up three times.
    """
    if not ranges:
        return {}
    houses_by_bounds: dict[tuple, set[int]] = {}
    for key, members in ranges.items():
        houses_by_bounds.setdefault(bounds[key], set()).update(house.pk for house in members)
    names = {pair: f"bounds_{index}" for index, pair in enumerate(houses_by_bounds)}
    in_bounds = {pair: Q(interval_start__gte=pair[0], interval_start__lt=pair[1]) for pair in houses_by_bounds}
    counts = {}
    for pair, name in names.items():
        condition = in_bounds[pair] if len(names) > 1 else Q()
        counts[name] = Count("pk", filter=condition or None)
        counts[f"{name}_estimated"] = Count("pk", filter=condition & Q(estimated=True))
    rows = (
        MeterReading.objects.filter(
            reduce(operator.or_, (Q(house__in=sorted(houses_by_bounds[pair])) & in_bounds[pair] for pair in names))
        )
        .order_by()
        .values("house_id")
        .annotate(**counts)
    )
    keys_of_house: dict[int, list] = {}
    for key, members in ranges.items():
        for house in members:
            keys_of_house.setdefault(house.pk, []).append(key)
    return {
        (key, row["house_id"]): (row[names[bounds[key]]], row[f"{names[bounds[key]]}_estimated"])
        for row in rows
        for key in keys_of_house.get(row["house_id"], [])
    }
