"""The ingester against a real Mosquitto: sums, restarts, outages, resets."""

import datetime as dt
from decimal import Decimal

import pytest

from metering.models import MeterEvent, MeterReading
from tests.factories import CommunityFactory, HouseFactory
from tests.metering.live.helpers import sml
from tests.metering.live.mqtt_helpers import feed  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 10, 0)


@pytest.fixture
def house():
    return HouseFactory(community=CommunityFactory(slug="sonnenfeld"), house_id="house_1", meter_id="1ESY1160000001")


def registers(every_minutes: int, steps: int, step_tenth_wh: int, start_tenth_wh: int = 10_000_000):
    """(device time, Ei kWh) every ``every_minutes`` from T0: ``steps`` equal steps of 0.1 Wh units."""
    return [
        (T0 + dt.timedelta(minutes=every_minutes * n), Decimal(start_tenth_wh + n * step_tenth_wh) / 10_000)
        for n in range(steps + 1)
    ]


def imported_wh(house) -> int:
    return sum(MeterReading.objects.filter(house=house).values_list("imported_wh", flat=True))


@pytest.mark.parametrize(("every_minutes", "steps", "step_tenth_wh"), [(5, 24, 1235), (15, 8, 3705)])
def test_a_two_hour_feed_sums_exactly_to_the_register_delta(feed, house, every_minutes, steps, step_tenth_wh):  # noqa: F811
    points = registers(every_minutes, steps, step_tenth_wh)
    feed.start_session()

    feed.publish("house_1", [sml(at, str(ei), str(ei / 2), meter_id=house.meter_id) for at, ei in points])
    feed.receive(len(points))

    assert imported_wh(house) == 2964
    assert sum(MeterReading.objects.values_list("exported_wh", flat=True)) == 1482
    assert MeterReading.objects.count() == 8


def test_an_ingester_stopped_while_ten_messages_are_published_receives_them_all(feed, house):  # noqa: F811
    points = registers(15, 10, 1000)
    feed.start_session()
    feed.publish("house_1", [sml(points[0][0], str(points[0][1]), meter_id=house.meter_id)])
    assert feed.receive(1)["messages"] == 1

    feed.publish("house_1", [sml(at, str(ei), meter_id=house.meter_id) for at, ei in points[1:]])
    totals = feed.receive(10)

    assert totals["messages"] == 10
    assert imported_wh(house) == 1000


def test_a_one_hour_gap_is_filled_and_flagged(feed, house):  # noqa: F811
    times = [T0, T0 + dt.timedelta(minutes=15), T0 + dt.timedelta(minutes=75)]
    feed.start_session()

    feed.publish(
        "house_1", [sml(at, ei, meter_id=house.meter_id) for at, ei in zip(times, ["1", "1.2", "2"], strict=True)]
    )
    feed.receive(3)

    flagged = MeterReading.objects.filter(house=house, estimated=True)
    assert [(r.interval_start.minute, r.imported_wh) for r in flagged] == [(15, 200), (30, 200), (45, 200), (0, 200)]


def test_a_register_reset_gives_an_event_and_no_negative_energy(feed, house):  # noqa: F811
    times = [T0 + dt.timedelta(minutes=15 * n) for n in range(4)]
    feed.start_session()

    feed.publish(
        "house_1",
        [sml(at, ei, meter_id=house.meter_id) for at, ei in zip(times, ["500", "501", "0", "0.5"], strict=True)],
    )
    feed.receive(4)

    assert MeterEvent.objects.get(house=house).kind == MeterEvent.Kind.WENT_BACK
    assert not MeterReading.objects.filter(imported_wh__lt=0).exists()
    assert imported_wh(house) == 1500


def test_a_burst_of_ten_thousand_arrives_whole_while_the_first_batch_is_being_stored(feed, house):  # noqa: F811
    # Given a burst the ingester starts storing only once it is all published, so the broker must
    # hold all 10,000 unacknowledged (its queue alone keeps 1,000 and drops the rest)
    points = registers(1, 9_999, 10)
    burst = [(feed.topic("house_1"), sml(at, str(ei), meter_id=house.meter_id)) for at, ei in points]

    totals = feed.ingest_while_publishing(burst, hold_first_batch=True)

    # Then nothing was dropped and the energy adds up
    assert totals["messages"] == 10_000
    assert imported_wh(house) == 9_999
