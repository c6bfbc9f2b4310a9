"""Completeness: are all the readings there before a close?"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from communities.models import House
from core.local_time import interval_count, local_midnight, month_first_days
from metering.models import MeterReading

from ..models import SettlementPeriod
from .periods import houses_billable_in


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
        text = self._counts()
        if self.estimated:
            text += f" {self.estimated:,} of the present intervals are estimated (spread over a meter feed outage)."
        return text

    def _counts(self) -> str:
        if not self.houses:
            return "No house is active in the period."
        if self.complete:
            return f"All {len(self.houses)} houses complete: {self.present:,} of {self.expected:,} intervals."
        return (
            f"{len(self.with_gaps)} of {len(self.houses)} houses have gaps: {self.missing:,} of "
            f"{self.expected:,} intervals missing."
        )


def period_completeness(*, period: SettlementPeriod) -> Completeness:
    """For every house active in the period: intervals expected on its active local days, and present.

    Expected counts follow the community's calendar: a Berlin quarter-hour day has 92, 96 or 100
    intervals, and a house that joins or leaves mid-month is expected only on its days. Present
    counts are one aggregate query per distinct active range (normally one: everybody is active
    the whole month).
    """
    community = period.community
    zone = community.zone
    first_day, following_day = month_first_days(period.month)
    last_day = following_day - dt.timedelta(days=1)
    houses = list(houses_billable_in(period=period).order_by("house_id"))
    ranges: dict[tuple[dt.date, dt.date], list[House]] = {}
    for house in houses:
        house_first = max(first_day, house.active_from)
        house_last = min(last_day, house.active_until) if house.active_until else last_day
        ranges.setdefault((house_first, house_last), []).append(house)

    present: dict[int, tuple[int, int]] = {}
    for (house_first, house_last), members in ranges.items():
        start = local_midnight(house_first, zone)
        end = local_midnight(house_last + dt.timedelta(days=1), zone)
        counts = (
            MeterReading.objects.filter(house__in=members, interval_start__gte=start, interval_start__lt=end)
            .order_by()
            .values("house_id")
            .annotate(count=Count("pk"), estimated=Count("pk", filter=Q(estimated=True)))
        )
        present.update({row["house_id"]: (row["count"], row["estimated"]) for row in counts})

    result = []
    for (house_first, house_last), members in ranges.items():
        start = local_midnight(house_first, zone)
        end = local_midnight(house_last + dt.timedelta(days=1), zone)
        expected = interval_count(start, end, community.interval_minutes)
        result.extend(
            HouseCompleteness(
                house_pk=house.pk,
                house_id=house.house_id,
                house_name=house.name,
                first_day=house_first,
                last_day=house_last,
                expected=expected,
                present=present.get(house.pk, (0, 0))[0],
                estimated=present.get(house.pk, (0, 0))[1],
            )
            for house in members
        )
    result.sort(key=lambda house: house.house_id)
    return Completeness(houses=result)
