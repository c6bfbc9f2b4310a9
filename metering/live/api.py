"""``POST /api/meters/<meter_id>/readings``: the same Tasmota SML JSON as MQTT, for meters and gateways
without a broker. django-ninja gives the OpenAPI schema (``/api/openapi.json``, docs at ``/api/docs``).

The body is read here with ``parse_float=Decimal`` (registers are never floats) and checked whole
before anything is stored: a request is stored completely or not at all.
"""

import datetime as dt
import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.security import HttpBearer
from ninja.throttling import AuthRateThrottle

from .payload import PayloadError, parse_object
from .service import Incoming, live_messages_store
from .tokens import meter_token_owner

MAX_MESSAGES = 1000

api = NinjaAPI(title="LEG-Invoicing meter API", version="1", urls_namespace="meter-api")


class MeterBearer(HttpBearer):
    def authenticate(self, request, token):
        return meter_token_owner(token=token)


class Stored(Schema):
    messages: int
    readings_written: int
    outcomes: dict[str, int]


class Problem(Schema):
    detail: str


SML_EXAMPLE = {"Time": "2026-03-02T10:15:00", "SML": {"Ei": 1234.5678, "Eo": 456.789, "SMid": "1ESY1160123456"}}
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"type": "object"}, {"type": "array", "items": {"type": "object"}}]},
                "example": SML_EXAMPLE,
            }
        },
        "description": "A Tasmota SML message, or a list of up to 1000 (README: Live meter data).",
    }
}


def _messages(body: bytes, meter_id: str) -> list[dict]:
    try:
        data = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        raise PayloadError(_("The body is not JSON.")) from None
    items = data if isinstance(data, list) else [data]
    if not 1 <= len(items) <= MAX_MESSAGES:
        raise PayloadError(_("Send between 1 and %(n)d messages per request.") % {"n": MAX_MESSAGES})
    normalised = []
    for item in items:
        if not isinstance(item, dict):
            raise PayloadError(_("Each message must be a JSON object."))
        message = parse_object(item, device="")
        if message.meter_id and message.meter_id != meter_id:
            raise PayloadError(_("The message's SMid is not the meter of this URL."))
        time = message.time.isoformat() if message.time else None
        normalised.append({"Time": time, "SML": {"Ei": message.ei_kwh, "Eo": message.eo_kwh, "SMid": meter_id}})
    return normalised


@api.post(
    "/meters/{meter_id}/readings",
    auth=MeterBearer(),
    throttle=[AuthRateThrottle(settings.LEG_API_RATE)],
    response={200: Stored, 400: Problem, 403: Problem},
    openapi_extra=REQUEST_BODY,
    summary="Push cumulative registers of one meter",
)
def push_readings(request, meter_id: str):
    token = request.auth
    if token.house.meter_id != meter_id:
        return Status(403, {"detail": _("This token belongs to another meter.")})
    try:
        items = _messages(request.body, meter_id)
    except PayloadError as error:
        return Status(400, {"detail": str(error)})
    received = dt.datetime.now(dt.UTC)
    report = live_messages_store(messages=[Incoming(f"http/{meter_id}/SENSOR", item, received) for item in items])
    return Status(
        200, {"messages": len(items), "readings_written": report.readings_written, "outcomes": dict(report.outcomes)}
    )
