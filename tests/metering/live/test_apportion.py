"""The pure apportioning core: registers in, whole-Wh interval readings out."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metering.live.apportion import Outcome, Registers, advance, interval_floor

UTC = ZoneInfo("UTC")
QUARTER = dt.timedelta(minutes=15)
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def feed(messages, *, interval=QUARTER, zone=UTC):
    """Every message through ``advance``; the final reading of each interval, and the steps."""
    state, readings, steps = None, {}, []
    for at, ei, eo in messages:
        step = advance(state, Registers(at, Decimal(ei), Decimal(eo)), interval=interval, zone=zone)
        state = step.state
        steps.append(step)
        for reading in step.readings:
            readings[reading.start] = reading
    return readings, steps


def minutes(n):
    return T0 + dt.timedelta(minutes=n)


def test_messages_on_the_quarter_hours_give_one_reading_each():
    readings, _ = feed([(minutes(0), "100", "50"), (minutes(15), "100.4", "50.1"), (minutes(30), "101", "50.2")])

    assert [(r.start, r.imported_wh, r.exported_wh) for r in readings.values()] == [
        (minutes(0), 400, 100),
        (minutes(15), 600, 100),
    ]


def test_a_message_between_quarter_hours_is_split_by_time():
    readings, _ = feed([(minutes(10), "0", "0"), (minutes(20), "1", "0")])

    assert readings[minutes(0)].imported_wh == 500
    assert readings[minutes(15)].imported_wh == 500


def test_the_sub_wh_remainder_is_carried_forward():
    # 0.3 Wh per message: no interval gets a fraction, yet nothing is lost.
    messages = [(minutes(n), Decimal("0.0003") * n, "0") for n in range(0, 61)]

    readings, _ = feed(messages)

    assert sum(r.imported_wh for r in readings.values()) == 18


def test_the_open_interval_grows_with_each_message():
    _, steps = feed([(minutes(0), "0", "0"), (minutes(5), "0.1", "0"), (minutes(10), "0.3", "0")])

    assert [r.imported_wh for r in steps[1].readings] == [100]
    assert [r.imported_wh for r in steps[2].readings] == [300]


def test_a_duplicate_changes_nothing():
    _, steps = feed([(minutes(0), "0", "0"), (minutes(5), "1", "0"), (minutes(5), "1", "0")])

    assert steps[2].outcome == Outcome.DUPLICATE
    assert steps[2].readings == ()
    assert steps[2].state == steps[1].state


def test_an_older_message_arriving_late_changes_nothing():
    _, steps = feed([(minutes(0), "0", "0"), (minutes(10), "2", "0"), (minutes(5), "1", "0")])

    assert steps[2].outcome == Outcome.LATE
    assert steps[2].readings == ()


def test_a_new_message_arriving_late_between_two_earlier_ones_changes_no_reading_and_no_sum():
    # Given readings written from 10:00 and 10:30, then 10:10 arrives late with a value off the line
    in_order = [(minutes(0), "0", "0"), (minutes(30), "3", "0"), (minutes(45), "4", "0")]
    late = (minutes(10), "2.5", "0")

    readings, steps = feed([in_order[0], in_order[1], late, in_order[2]])

    # Then it is counted as late, and the readings are those of the feed without it
    assert steps[2].outcome == Outcome.LATE
    assert readings == feed(in_order)[0]
    assert sum(r.imported_wh for r in readings.values()) == 4000


def test_a_register_with_more_than_six_decimals_of_kwh_is_refused():
    with pytest.raises(ValueError, match=r"0\.001 Wh"):
        feed([(minutes(0), "0", "0"), (minutes(5), "1.0000001", "0")])


def test_an_outage_is_spread_over_the_missing_quarter_hours_and_flagged():
    readings, _ = feed([(minutes(0), "0", "0"), (minutes(15), "1", "0"), (minutes(75), "5", "0")])

    assert [(r.imported_wh, r.estimated) for r in readings.values()] == [
        (1000, False),
        (1000, True),
        (1000, True),
        (1000, True),
        (1000, True),
    ]


def test_messages_a_little_over_an_interval_apart_are_not_an_outage():
    readings, _ = feed([(minutes(0), "0", "0"), (minutes(15) + dt.timedelta(seconds=4), "1", "0")])

    assert not any(r.estimated for r in readings.values())


def test_a_register_going_back_is_an_event_and_no_negative_energy():
    readings, steps = feed([(minutes(0), "500", "9"), (minutes(5), "501", "9"), (minutes(20), "0.5", "0")])

    assert steps[2].outcome == Outcome.WENT_BACK
    assert all(r.imported_wh >= 0 and r.exported_wh >= 0 for r in readings.values())
    assert readings[minutes(0)].imported_wh == 1000


def test_counting_continues_from_the_new_values_after_a_reset():
    readings, _ = feed([(minutes(0), "500", "0"), (minutes(20), "0.5", "0"), (minutes(25), "0.7", "0")])

    assert readings[minutes(15)].imported_wh == 200
    assert readings[minutes(15)].estimated


def test_a_very_large_delta_is_kept():
    readings, _ = feed([(minutes(0), "0", "0"), (minutes(15), "250.5", "0")])

    assert readings[minutes(0)].imported_wh == 250_500


def test_intervals_align_to_local_time():
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+05:30: local quarter hours are UTC quarter hours here
    hourly = dt.timedelta(hours=1)

    start = interval_floor(dt.datetime(2026, 3, 2, 10, 40, tzinfo=dt.UTC), hourly, kolkata)

    assert start == dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC)
