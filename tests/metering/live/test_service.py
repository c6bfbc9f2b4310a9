"""Storing batches of live messages: matching, readings, state across batches, refusals."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from metering.live.service import live_messages_store
from metering.models import FrozenRange, LiveMeterState, MeterEvent, MeterReading, UnknownMeter
from tests.factories import CommunityFactory, HouseFactory
from tests.metering.live.helpers import message

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

T0 = dt.datetime(2026, 3, 2, 10, 0)  # device local time; the community is UTC here


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 3, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def house():
    return HouseFactory(community=CommunityFactory(slug="sonnenfeld"), house_id="house_1", meter_id="1ESY1")


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


def utc(minutes):
    return at(minutes).replace(tzinfo=dt.UTC)


def test_messages_become_readings(house):
    live_messages_store(
        messages=[
            message("dev", at(0), "10", "1", meter_id="1ESY1"),
            message("dev", at(15), "10.5", "1.2", meter_id="1ESY1"),
        ]
    )

    reading = MeterReading.objects.get(house=house)
    assert (reading.interval_start, reading.imported_wh, reading.exported_wh) == (utc(0), 500, 200)


def test_a_house_without_meter_id_is_matched_by_the_topic_device(house):
    live_messages_store(messages=[message("house_1", at(0), "1"), message("house_1", at(15), "2")])

    assert MeterReading.objects.get(house=house).imported_wh == 1000


def test_a_device_name_used_in_two_communities_matches_no_house(house):
    HouseFactory(community=CommunityFactory(slug="other"), house_id="house_1")

    report = live_messages_store(messages=[message("house_1", at(0), "1")])

    assert report.outcomes["unknown"] == 1
    assert UnknownMeter.objects.get().key == "device house_1"


def test_unknown_meters_are_counted(house):
    live_messages_store(messages=[message("x", at(0), "1", meter_id="NOPE")] * 3)

    assert UnknownMeter.objects.get(key="NOPE").messages == 3


def test_the_state_carries_the_feed_across_batches(house):
    first = [message("d", at(m), f"{Decimal(m) / 7:.4f}", meter_id="1ESY1") for m in range(0, 30, 5)]
    second = [message("d", at(m), f"{Decimal(m) / 7:.4f}", meter_id="1ESY1") for m in range(30, 65, 5)]

    live_messages_store(messages=first)
    live_messages_store(messages=second)

    total = sum(MeterReading.objects.filter(house=house).values_list("imported_wh", flat=True))
    assert total == int(Decimal(60) / 7 * 1000)


def test_a_message_sent_again_changes_nothing(house):
    feed = [message("d", at(0), "1", meter_id="1ESY1"), message("d", at(10), "2", meter_id="1ESY1")]
    live_messages_store(messages=feed)

    report = live_messages_store(messages=feed)

    assert report.outcomes["duplicate"] == 1 and report.outcomes["late"] == 1
    assert MeterReading.objects.get(house=house).imported_wh == 1000


def imported_by_quarter_hour(house) -> list[tuple[int, int]]:
    readings = MeterReading.objects.filter(house=house).order_by("interval_start")
    return [(r.interval_start.minute, r.imported_wh) for r in readings]


def test_a_late_message_in_a_later_batch_neither_loses_nor_doubles_energy(house):
    # Given 10:00 and 10:30 stored, then 10:10 (never seen, off the line) arriving with 10:45
    live_messages_store(
        messages=[message("d", at(0), "0", meter_id="1ESY1"), message("d", at(30), "3", meter_id="1ESY1")]
    )

    report = live_messages_store(
        messages=[message("d", at(10), "2.5", meter_id="1ESY1"), message("d", at(45), "4", meter_id="1ESY1")]
    )

    # Then the late one changes nothing and the readings add up to the register delta
    assert report.outcomes["late"] == 1
    assert imported_by_quarter_hour(house) == [(0, 1500), (15, 1500), (30, 1000)]


def test_a_message_late_only_within_its_batch_is_used_in_time_order(house):
    live_messages_store(
        messages=[
            message("d", at(0), "0", meter_id="1ESY1"),
            message("d", at(30), "3", meter_id="1ESY1"),
            message("d", at(15), "2.5", meter_id="1ESY1"),
        ]
    )

    assert imported_by_quarter_hour(house) == [(0, 2500), (15, 500)]


def test_an_outage_is_stored_as_estimated(house):
    live_messages_store(
        messages=[message("d", at(0), "0", meter_id="1ESY1"), message("d", at(60), "4", meter_id="1ESY1")]
    )

    assert list(MeterReading.objects.values_list("estimated", flat=True)) == [True] * 4


def test_a_register_going_back_is_an_event(house):
    feed = [message("d", at(m), ei, meter_id="1ESY1") for m, ei in [(0, "900"), (15, "901"), (30, "0.1")]]

    live_messages_store(messages=feed)

    event = MeterEvent.objects.get(house=house)
    assert (event.kind, event.previous_ei_kwh, event.ei_kwh) == ("went_back", Decimal("901"), Decimal("0.1"))
    assert not MeterReading.objects.filter(imported_wh__lt=0).exists()


def test_a_reading_in_a_closed_period_is_refused_and_counted(house):
    FrozenRange.objects.create(community=house.community, start=utc(-60), end=utc(15), reason="Period closed")

    report = live_messages_store(
        messages=[message("d", at(0), "0", meter_id="1ESY1"), message("d", at(30), "2", meter_id="1ESY1")]
    )

    assert list(MeterReading.objects.values_list("interval_start", flat=True)) == [utc(15)]
    assert report.refused_frozen == 1
    assert LiveMeterState.objects.get(house=house).refused_frozen == 1


def test_readings_outside_the_active_days_are_refused(house):
    house.active_from = dt.date(2026, 3, 3)
    house.save()

    live_messages_store(
        messages=[message("d", at(0), "0", meter_id="1ESY1"), message("d", at(15), "2", meter_id="1ESY1")]
    )

    assert not MeterReading.objects.exists()
    assert LiveMeterState.objects.get(house=house).refused_inactive == 1


def test_a_large_reading_is_kept_and_shown_as_an_event(house):
    live_messages_store(
        messages=[message("d", at(0), "0", meter_id="1ESY1"), message("d", at(15), "900", meter_id="1ESY1")]
    )

    assert MeterReading.objects.get().imported_wh == 900_000
    assert MeterEvent.objects.get().kind == "large"


def test_a_message_from_the_future_is_refused(house):
    report = live_messages_store(messages=[message("d", dt.datetime(2099, 1, 1), "1", meter_id="1ESY1")])

    assert report.outcomes["future"] == 1
    assert not LiveMeterState.objects.exists()


def test_a_broken_payload_is_counted(house):
    from metering.live.service import Incoming

    report = live_messages_store(messages=[Incoming("tele/d/SENSOR", b"{", dt.datetime.now(dt.UTC))])

    assert report.outcomes["invalid"] == 1


def test_a_batch_costs_a_few_queries_whatever_its_size(django_assert_max_num_queries):
    community = CommunityFactory(slug="many")
    houses = [HouseFactory(community=community, house_id=f"h{n}", meter_id=f"M{n}") for n in range(20)]
    feed = [message("d", at(m), str(m), meter_id=h.meter_id) for h in houses for m in range(0, 60, 5)]

    with django_assert_max_num_queries(12):
        live_messages_store(messages=feed)

    assert MeterReading.objects.count() == 20 * 4
