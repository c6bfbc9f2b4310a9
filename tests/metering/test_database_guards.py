"""Readings inside a frozen range are refused by the database itself (metering migration 0003),
whatever wrote the SQL; readings outside it are written as before."""

import datetime as dt

import pytest

from metering.models import FrozenRange, MeterReading
from tests.database_guards import refused, sql
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
FROZEN = "lies in a closed settlement period, whose meter data never changes"
INSERT = "INSERT INTO communities_meterreading (house_id, interval_start, exported_wh, imported_wh) VALUES "


@pytest.fixture
def house():
    """house_1 with the last reading of January (frozen) and the first of February (not)."""
    house = HouseFactory(house_id="house_1")
    add_readings(house, FEBRUARY - dt.timedelta(minutes=15), [("1", "0"), ("2", "0")])
    FrozenRange.objects.create(community=house.community, start=JANUARY, end=FEBRUARY, reason="Period 2026-01 closed")
    return house


def stored_wh() -> list[int]:
    return list(MeterReading.objects.order_by("interval_start").values_list("exported_wh", flat=True))


def test_no_reading_is_inserted_into_a_frozen_range(house):
    refused(f"{INSERT}(%s, '2026-01-10 00:00:00', 5, 0)", [house.pk], match=FROZEN)


def test_a_statement_with_one_frozen_row_writes_none(house):
    refused(
        f"{INSERT}(%s, '2026-02-01 00:15:00', 5, 0), (%s, '2026-01-10 00:00:00', 5, 0)",
        [house.pk, house.pk],
        match=FROZEN,
    )

    assert MeterReading.objects.count() == 2


def test_a_frozen_reading_never_changes(house):
    refused("UPDATE communities_meterreading SET exported_wh = 5", match=FROZEN)

    assert stored_wh() == [1000, 2000]


def test_a_reading_never_moves_into_a_frozen_range(house):
    refused(
        "UPDATE communities_meterreading SET interval_start = '2026-01-20 00:00:00' WHERE exported_wh = 2000",
        match=FROZEN,
    )


def test_a_frozen_reading_never_moves_out(house):
    refused(
        "UPDATE communities_meterreading SET interval_start = '2026-03-01 00:00:00' WHERE exported_wh = 1000",
        match=FROZEN,
    )


def test_a_frozen_reading_is_never_deleted(house):
    refused("DELETE FROM communities_meterreading", match=FROZEN)

    assert stored_wh() == [1000, 2000]


def test_a_reading_of_another_community_in_the_same_months_is_not_frozen(house):
    elsewhere = HouseFactory(house_id="house_1")

    sql(f"{INSERT}(%s, '2026-01-10 00:00:00', 5, 0)", [elsewhere.pk])
    sql("UPDATE communities_meterreading SET exported_wh = 6 WHERE house_id = %s", [elsewhere.pk])
    sql("DELETE FROM communities_meterreading WHERE house_id = %s", [elsewhere.pk])


def test_readings_outside_the_frozen_range_change_as_before(house):
    sql(f"{INSERT}(%s, '2026-02-01 00:15:00', 5, 0)", [house.pk])
    sql("UPDATE communities_meterreading SET exported_wh = 7 WHERE interval_start >= '2026-02-01 00:00:00'")
    sql("DELETE FROM communities_meterreading WHERE exported_wh = 7 AND interval_start > '2026-02-01 00:00:00'")

    assert stored_wh() == [1000, 7]


def test_an_update_that_changes_nothing_is_let_through(house):
    sql("UPDATE communities_meterreading SET exported_wh = exported_wh")

    assert stored_wh() == [1000, 2000]
