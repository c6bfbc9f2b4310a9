"""Hypothesis: whatever the message times and register steps, the readings add up."""

import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.metering.live.test_apportion import T0, feed

# Gaps from 1 s to 3 h; register steps of 0 to 2 kWh at the meter's 0.1 Wh resolution.
gaps_s = st.integers(min_value=1, max_value=3 * 3600)
steps_tenth_wh = st.integers(min_value=0, max_value=20_000)
message_lists = st.lists(st.tuples(gaps_s, steps_tenth_wh, steps_tenth_wh), min_size=1, max_size=40)
intervals = st.sampled_from([5, 15, 60])
starts_tenth_wh = st.integers(min_value=0, max_value=10**9)


def build(first_ei, first_eo, increments):
    at, ei, eo = T0 + dt.timedelta(seconds=7), first_ei, first_eo
    messages = [(at, Decimal(ei) / 10_000, Decimal(eo) / 10_000)]
    for gap, d_ei, d_eo in increments:
        at, ei, eo = at + dt.timedelta(seconds=gap), ei + d_ei, eo + d_eo
        messages.append((at, Decimal(ei) / 10_000, Decimal(eo) / 10_000))
    return messages


def floor_wh(kwh):
    return math.floor(kwh * 1000)


@settings(max_examples=200, deadline=None)
@given(starts_tenth_wh, starts_tenth_wh, message_lists, intervals)
def test_readings_sum_to_the_register_delta(first_ei, first_eo, increments, interval_minutes):
    messages = build(first_ei, first_eo, increments)

    readings, _ = feed(messages, interval=dt.timedelta(minutes=interval_minutes))

    (_, ei0, eo0), (_, ei1, eo1) = messages[0], messages[-1]
    assert sum(r.imported_wh for r in readings.values()) == floor_wh(ei1) - floor_wh(ei0)
    assert sum(r.exported_wh for r in readings.values()) == floor_wh(eo1) - floor_wh(eo0)
    assert abs(sum(r.imported_wh for r in readings.values()) - (ei1 - ei0) * 1000) < 1


@settings(max_examples=200, deadline=None)
@given(starts_tenth_wh, message_lists)
def test_every_prefix_of_the_feed_sums_to_its_delta(first_ei, increments):
    messages = build(first_ei, 0, increments)
    state_sums = []
    for end in range(1, len(messages) + 1):
        readings, _ = feed(messages[:end])
        state_sums.append(sum(r.imported_wh for r in readings.values()))

    assert state_sums == [floor_wh(ei) - floor_wh(messages[0][1]) for _, ei, _ in messages]


@settings(max_examples=200, deadline=None)
@given(starts_tenth_wh, message_lists, st.data())
def test_duplicates_and_late_messages_change_nothing(first_ei, increments, data):
    messages = build(first_ei, 0, increments)
    noisy = [messages[0]]
    for index, message in enumerate(messages[1:], start=1):
        noisy.append(message)
        if data.draw(st.booleans()):
            noisy.append(messages[data.draw(st.integers(min_value=0, max_value=index))])

    assert feed(noisy)[0] == feed(messages)[0]


@settings(max_examples=200, deadline=None)
@given(message_lists, st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata"]))
def test_readings_are_aligned_non_negative_and_sum_exactly_between_whole_wh(increments, zone_name):
    whole = [(gap, d_ei - d_ei % 10, d_eo - d_eo % 10) for gap, d_ei, d_eo in increments]
    messages = build(0, 0, whole)

    readings, _ = feed(messages, zone=ZoneInfo(zone_name))

    assert all(r.imported_wh >= 0 and r.exported_wh >= 0 for r in readings.values())
    assert all(r.start.astimezone(ZoneInfo(zone_name)).minute % 15 == 0 for r in readings.values())
    assert sum(r.imported_wh for r in readings.values()) == (messages[-1][1] - messages[0][1]) * 1000
