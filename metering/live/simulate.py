"""Tasmota-shaped messages for a community's houses, for demos and the benchmark. Pure.

Each house draws a steady base load and, by day, feeds a bell-shaped solar yield; registers are
kept at the meters' 0.1 Wh resolution and written into the JSON exactly (never via float).
"""

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

TENTH_WH_PER_KWH = 10_000


@dataclass
class SimulatedMeter:
    device: str  # the topic's device segment (the house key)
    meter_id: str  # '' for a meter that does not send SMid
    ei_tenth_wh: int = 12_345_678_0
    eo_tenth_wh: int = 4_567_890


def _kwh(tenth_wh: int) -> str:
    return str(Decimal(tenth_wh) / TENTH_WH_PER_KWH)


def payload(meter: SimulatedMeter, local_time: dt.datetime) -> str:
    sml = {"Ei": "EI", "Eo": "EO"}
    if meter.meter_id:
        sml["SMid"] = meter.meter_id
    text = json.dumps({"Time": local_time.strftime("%Y-%m-%dT%H:%M:%S"), "SML": sml}, separators=(",", ":"))
    return text.replace('"EI"', _kwh(meter.ei_tenth_wh)).replace('"EO"', _kwh(meter.eo_tenth_wh))


def advance(meter: SimulatedMeter, index: int, local_time: dt.datetime, seconds: int) -> None:
    """Base load 300-700 W by house; solar up to 4 kW around local noon."""
    hour = local_time.hour + local_time.minute / 60
    sun_w = max(0.0, math.sin(math.pi * (hour - 6) / 12)) * 4000
    load_w = 300 + (index % 5) * 100
    meter.ei_tenth_wh += int(max(0, load_w - sun_w) * seconds / 360)
    meter.eo_tenth_wh += int(max(0, sun_w - load_w) * seconds / 360)


def messages(
    meters: list[SimulatedMeter],
    *,
    start: dt.datetime,
    step: dt.timedelta,
    count: int,
    zone: ZoneInfo,
    prefix: str = "tele",
):
    """``count`` rounds of one (topic, payload) per meter, ``step`` apart from ``start`` (aware)."""
    at = start
    for _round in range(count):
        local = at.astimezone(zone)
        for index, meter in enumerate(meters):
            yield f"{prefix}/{meter.device}/SENSOR", payload(meter, local)
            advance(meter, index, local, int(step.total_seconds()))
        at += step
