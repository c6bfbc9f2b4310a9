"""Simulated Tasmota messages are valid payloads whose registers never go down."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from metering.live.payload import parse_message
from metering.live.simulate import SimulatedMeter, messages


def test_simulated_messages_parse_and_count_up():
    meters = [SimulatedMeter("house_1", "1ESY1"), SimulatedMeter("house_2", "")]
    start = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)

    parsed = [
        parse_message(topic, text)
        for topic, text in messages(
            meters, start=start, step=dt.timedelta(minutes=5), count=50, zone=ZoneInfo("Europe/Berlin")
        )
    ]

    first = [p for p in parsed if p.device == "house_1"]
    assert first[0].meter_id == "1ESY1" and first[0].time == dt.datetime(2026, 6, 1, 10, 0)
    assert all(a.ei_kwh <= b.ei_kwh and a.eo_kwh <= b.eo_kwh for a, b in itertools.pairwise(first))
    assert first[-1].eo_kwh > first[0].eo_kwh  # the sun shone
