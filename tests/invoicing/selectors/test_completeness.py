"""The completeness gate's numbers: expected intervals per house in the community's calendar."""

import datetime as dt

import pytest

from core.local_time import local_midnight
from invoicing import selectors, services
from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db


@pytest.fixture
def berlin():
    community = CommunityFactory(slug="berlin", time_zone="Europe/Berlin")
    TariffFactory(community=community)
    return community


@pytest.mark.parametrize(("month", "expected"), [("2026-03", 2972), ("2026-10", 2980), ("2026-06", 2880)])
def test_expected_intervals_follow_dst(berlin, month, expected):
    HouseFactory(community=berlin)
    period = services.period_get_or_create(community=berlin, month=month)

    (house,) = selectors.period_completeness(period=period).houses

    assert (house.expected, house.present, house.missing) == (expected, 0, expected)


def test_house_is_expected_only_on_its_active_days(berlin):
    # Joins on 29 March 2026, the day the clocks go forward: 92 + 96 + 96 quarter hours.
    HouseFactory(community=berlin, house_id="joiner", active_from=dt.date(2026, 3, 29))
    period = services.period_get_or_create(community=berlin, month="2026-03")

    (house,) = selectors.period_completeness(period=period).houses

    assert (house.first_day, house.last_day, house.expected) == (dt.date(2026, 3, 29), dt.date(2026, 3, 31), 284)


def test_present_counts_only_readings_on_active_days(berlin):
    house = HouseFactory(community=berlin, house_id="joiner", active_from=dt.date(2026, 10, 30))
    start = local_midnight(dt.date(2026, 10, 29), berlin.zone)
    add_readings(house, start, [("1", "0")] * (3 * 96))  # 29, 30, 31 October
    period = services.period_get_or_create(community=berlin, month="2026-10")

    completeness = selectors.period_completeness(period=period)

    (row,) = completeness.houses
    assert (row.expected, row.present, row.complete) == (192, 192, True)
    assert completeness.summary() == "The house is complete: 192 of 192 intervals."


def test_summary_names_gaps(berlin):
    complete, gappy = HouseFactory(community=berlin, house_id="a"), HouseFactory(community=berlin, house_id="b")
    period = services.period_get_or_create(community=berlin, month="2026-10")
    add_readings(complete, period.start, [("1", "0")] * 2980)
    add_readings(gappy, period.start, [("1", "0")] * 2000)

    completeness = selectors.period_completeness(period=period)

    assert [house.house_id for house in completeness.with_gaps] == ["b"]
    assert completeness.summary() == "1 of 2 houses has gaps: 980 of 5,960 intervals missing."


def test_completeness_takes_one_query_per_distinct_active_range(berlin, django_assert_max_num_queries):
    for number in range(20):
        HouseFactory(community=berlin, house_id=f"h{number}")
    HouseFactory(community=berlin, house_id="late", active_from=dt.date(2026, 10, 15))
    period = services.period_get_or_create(community=berlin, month="2026-10")

    with django_assert_max_num_queries(3):
        selectors.period_completeness(period=period)


def test_daily_energy_is_summed_per_local_day(berlin):
    house = HouseFactory(community=berlin)
    # 23:00 UTC on 24 October is 01:00 local on the 25th (CEST, UTC+2).
    add_readings(house, dt.datetime(2026, 10, 24, 21, 45, tzinfo=dt.UTC), [("1", "0.5"), ("2", "0.25"), ("4", "0")])

    days = selectors.daily_energy_wh(
        house_ids=[house.pk],
        start=dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        zone=berlin.zone,
    )

    assert days[house.pk] == [(dt.date(2026, 10, 24), 1000, 500), (dt.date(2026, 10, 25), 6000, 250)]


def test_estimated_readings_are_counted_and_named(berlin):
    house = HouseFactory(community=berlin)
    period = services.period_get_or_create(community=berlin, month="2026-10")
    readings = add_readings(house, period.start, [("1", "0")] * 2980)
    MeterReading.objects.filter(pk__in=[r.pk for r in readings[:12]]).update(estimated=True)

    completeness = selectors.period_completeness(period=period)

    assert completeness.houses[0].estimated == 12
    assert completeness.summary().endswith(
        "12 of the present intervals are estimated (spread over a meter feed outage)."
    )


def test_the_count_names_each_house_once_and_filters_on_bounds_only(berlin, django_assert_max_num_queries):
    """Each house list stands once, in the WHERE: in every FILTER it made SQLite look each reading's
    house up three times. A late joiner (a second pair of bounds) still gets its own days' count."""
    houses = [HouseFactory(community=berlin, house_id=f"h{number}") for number in range(3)]
    late = HouseFactory(community=berlin, house_id="late", active_from=dt.date(2026, 10, 15))
    period = services.period_get_or_create(community=berlin, month="2026-10")
    for house in [*houses, late]:
        add_readings(house, period.start, [("1", "0")] * 2980)

    with django_assert_max_num_queries(3) as captured:
        completeness = selectors.period_completeness(period=period)

    (count,) = [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]
    assert count.count(" IN (") == 2
    by_id = {house.house_id: house for house in completeness.houses}
    assert (by_id["h0"].present, by_id["h0"].expected) == (2980, 2980)
    assert (by_id["late"].present, by_id["late"].expected) == (by_id["late"].expected, 17 * 96 + 4)
