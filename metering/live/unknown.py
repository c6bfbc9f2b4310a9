"""Messages from meters no house claims: counted per meter ID (or device), never dropped silently."""

from django.db.models import F

from metering.models import UnknownMeter


def unknown_meters_count(strangers) -> None:
    """``strangers``: (Incoming, MeterMessage) pairs; one row per meter, counting its messages."""
    latest = {}
    counts = {}
    for incoming, message in strangers:
        key = message.meter_id or f"device {message.device}"
        counts[key] = counts.get(key, 0) + 1
        latest[key] = incoming
    for key, incoming in latest.items():
        payload = incoming.payload
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
        updated = UnknownMeter.objects.filter(key=key).update(
            messages=F("messages") + counts[key],
            last_seen=incoming.received_at,
            topic=incoming.topic,
            last_payload=text[:2000],
        )
        if not updated:
            UnknownMeter.objects.create(
                key=key,
                topic=incoming.topic,
                messages=counts[key],
                first_seen=incoming.received_at,
                last_seen=incoming.received_at,
                last_payload=text[:2000],
            )
