"""Tasmota-shaped messages for the live-feed tests."""

import datetime as dt
import json

from metering.live.service import Incoming

RECEIVED = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def sml(at: dt.datetime, ei: str, eo: str = "0", *, meter_id: str | None = None) -> str:
    """The payload text; registers as JSON numbers written exactly as given (never via float)."""
    meter = f'"Ei":{ei},"Eo":{eo}' + (f',"SMid":{json.dumps(meter_id)}' if meter_id else "")
    return f'{{"Time":"{at:%Y-%m-%dT%H:%M:%S}","SML":{{{meter}}}}}'


def message(device: str, at: dt.datetime, ei: str, eo: str = "0", *, meter_id: str | None = None) -> Incoming:
    return Incoming(f"tele/{device}/SENSOR", sml(at, ei, eo, meter_id=meter_id).encode(), RECEIVED)
