"""Tasmota SML messages: the topic/payload contract. Pure: no database.

Topic ``tele/<device>/SENSOR``; payload ``{"Time": "2026-03-02T10:15:00", "<script name>":
{"Ei": 1234.5678, "Eo": 456.789, "SMid": "1ESY1160123456"}}``. The inner key is whatever the
device's script calls its meter, so the first object holding ``Ei`` and ``Eo`` is taken. ``Time``
is the device's local time in its community's zone (Tasmota's default); an explicit offset wins.
Numbers are read as Decimal straight from the JSON text, never through float.
"""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

# Registers are kept to 0.001 Wh (the meters count in 0.1 Wh): the value stored is the value used.
REGISTER_PLACES = Decimal("0.000001")


class PayloadError(ValueError):
    pass


@dataclass(frozen=True)
class MeterMessage:
    device: str  # the topic's device segment ('' if the topic has none)
    meter_id: str  # SML 'SMid', '' if absent
    time: dt.datetime | None  # naive = the community's local time; None = no 'Time' given
    ei_kwh: Decimal
    eo_kwh: Decimal

    def at(self, zone: ZoneInfo, received_at: dt.datetime) -> dt.datetime:
        """The message's instant (aware); naive device times are local to ``zone``."""
        if self.time is None:
            return received_at
        if self.time.tzinfo is None:
            return self.time.replace(tzinfo=zone)
        return self.time


def device_of(topic: str) -> str:
    """``tele/<device>/SENSOR`` -> ``<device>``; a shared-subscription prefix is never in a topic."""
    parts = topic.split("/")
    return parts[1] if len(parts) >= 3 else ""


def _register(values: dict, name: str) -> Decimal:
    value = values.get(name)
    if not isinstance(value, Decimal | int) or isinstance(value, bool):
        raise PayloadError(_("'%(name)s' is missing or not a number.") % {"name": name})
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise PayloadError(_("'%(name)s' must be a non-negative number of kWh.") % {"name": name})
    return value.quantize(REGISTER_PLACES, rounding=ROUND_HALF_UP)


def _time(raw) -> dt.datetime | None:
    if raw is None:
        return None
    try:
        return dt.datetime.fromisoformat(str(raw))
    except ValueError:
        raise PayloadError(_("'Time' is not an ISO date and time, e.g. 2026-03-02T10:15:00.")) from None


def parse_message(topic: str, payload: bytes | str) -> MeterMessage:
    """One message; ``PayloadError`` says what is wrong with it."""
    try:
        data = json.loads(payload, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError(_("The payload is not JSON.")) from None
    if not isinstance(data, dict):
        raise PayloadError(_("The payload is not a JSON object."))
    return parse_object(data, device=device_of(topic))


def parse_object(data: dict, *, device: str) -> MeterMessage:
    """A decoded payload (MQTT or HTTP)."""
    meter = next((v for v in data.values() if isinstance(v, dict) and "Ei" in v and "Eo" in v), None)
    if meter is None:
        raise PayloadError(_("No object with 'Ei' and 'Eo' registers in the payload."))
    meter_id = meter.get("SMid", "")
    return MeterMessage(
        device=device,
        meter_id=str(meter_id).strip() if meter_id is not None else "",
        time=_time(data.get("Time")),
        ei_kwh=_register(meter, "Ei"),
        eo_kwh=_register(meter, "Eo"),
    )
