import datetime as dt

import pytest
from django.db import connection

from invoicing import selectors, services
from invoicing.pricing import NoTariffError, tariff_segments
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def test_sums_are_exact_on_this_database():
    """The drift once measured on SQLite with DecimalField (589.368500000001) cannot happen with Wh."""
    community = CommunityFactory()
    tariff = TariffFactory(community=community)
    house = HouseFactory(community=community)
    add_readings(house, JANUARY, [("0.1", "0.2"), ("0.7", "0.001"), ("588.568", "0.3")])
    add_readings(house, JANUARY + dt.timedelta(days=1), [("0.001", "0.333")] * 1000)

    (totals,) = selectors.energy_wh_by_house_and_segment(
        houses=[house], segments=tariff_segments([tariff], JANUARY, FEBRUARY)
    ).values()

    assert totals == [(100 + 700 + 588_568 + 1000, 200 + 1 + 300 + 333_000)]
    assert all(type(value) is int for value in totals[0]), connection.vendor


def test_houses_without_readings_get_zeros():
    community = CommunityFactory()
    tariff = TariffFactory(community=community)
    quiet = HouseFactory(community=community)

    totals = selectors.energy_wh_by_house_and_segment(
        houses=[quiet], segments=tariff_segments([tariff], JANUARY, FEBRUARY)
    )

    assert totals == {quiet.pk: [(0, 0)]}


def test_tariff_in_effect_is_the_latest_not_after_the_instant():
    community = CommunityFactory()
    first = TariffFactory(community=community, valid_from=JANUARY.date())
    second = TariffFactory(community=community, valid_from=FEBRUARY.date())

    assert selectors.tariff_in_effect(community=community, at=JANUARY - dt.timedelta(seconds=1)) is None
    assert selectors.tariff_in_effect(community=community, at=JANUARY) == first
    assert selectors.tariff_in_effect(community=community, at=FEBRUARY - dt.timedelta(seconds=1)) == first
    assert selectors.tariff_in_effect(community=community, at=FEBRUARY) == second


def test_tariffs_for_range_are_the_one_in_force_at_the_start_and_later_versions():
    community = CommunityFactory()
    TariffFactory(community=community, valid_from=(JANUARY - dt.timedelta(days=60)).date())
    in_force = TariffFactory(community=community, valid_from=(JANUARY - dt.timedelta(days=1)).date())
    mid = TariffFactory(community=community, valid_from=(JANUARY + dt.timedelta(days=15)).date())
    TariffFactory(community=community, valid_from=FEBRUARY.date())
    TariffFactory(community=CommunityFactory(), valid_from=(JANUARY + dt.timedelta(days=3)).date())

    assert selectors.tariffs_for_range(community=community, start=JANUARY, end=FEBRUARY) == [in_force, mid]


def test_a_tariff_is_in_effect_from_local_midnight_of_its_day():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    march = TariffFactory(community=berlin, valid_from=dt.date(2026, 3, 1))
    berlin_midnight = dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)

    assert selectors.tariff_in_effect(community=berlin, at=berlin_midnight - dt.timedelta(seconds=1)) is None
    assert selectors.tariff_in_effect(community=berlin, at=berlin_midnight) == march
    assert march.starts_at == berlin_midnight


def test_tariffs_for_range_end_at_local_midnight():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin, valid_from=dt.date(2026, 1, 1))
    TariffFactory(community=berlin, valid_from=dt.date(2026, 3, 1))
    february_start, march_start = (
        dt.datetime(2026, 1, 31, 23, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC),
    )

    (in_force,) = selectors.tariffs_for_range(community=berlin, start=february_start, end=march_start)

    assert in_force.valid_from == dt.date(2026, 1, 1)


def test_a_period_without_a_tariff_names_its_first_local_day():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin, valid_from=dt.date(2026, 3, 2))
    march = services.period_get_or_create(community=berlin, month="2026-03")

    with pytest.raises(NoTariffError, match=r"No tariff is in force on 2026-03-01 \(Europe/Berlin\)"):
        selectors.period_tariff_segments(period=march)
