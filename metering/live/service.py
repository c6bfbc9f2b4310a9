"""Store a batch of live meter messages: one transaction for the whole batch.

Each message is matched to a house (its meter ID, else the topic's device segment), run through
the pure apportioning (``apportion.advance``) in time order per meter, and the readings it
completes are written as absolute values with one upsert. File imports' rules hold here too: a
reading in a closed period or outside the house's active days is refused and counted, a message
more than two days ahead of the clock is refused. A reading above the plausibility limit is kept
(a meter's own registers are the measurement) and becomes a meter event for staff to check.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from communities.models import Community, House
from metering.models import FrozenRange, LiveMeterState, MeterEvent, latest_reading_start

from . import unknown
from .apportion import MeterState, Outcome, Registers, advance
from .payload import MeterMessage, PayloadError, parse_message, parse_object
from .writing import live_readings_upsert, live_states_upsert

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    topic: str
    payload: bytes | str | dict  # MQTT bytes, or an already decoded HTTP object
    received_at: dt.datetime


@dataclass
class BatchReport:
    """What a batch did, message by message (``outcomes``) and reading by reading."""

    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    readings_written: int = 0
    refused_frozen: int = 0
    refused_inactive: int = 0
    events: int = 0

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] += n


def _parse(incoming: Incoming) -> MeterMessage:
    if isinstance(incoming.payload, dict):
        return parse_object(incoming.payload, device=incoming.topic.split("/")[1] if "/" in incoming.topic else "")
    return parse_message(incoming.topic, incoming.payload)


def live_messages_store(*, messages: list[Incoming]) -> BatchReport:
    report = BatchReport()
    parsed = []
    for incoming in messages:
        try:
            parsed.append((incoming, _parse(incoming)))
        except PayloadError as error:
            report.count("invalid")
            log.warning("Live meter message on %s refused: %s", incoming.topic, error)
    houses = houses_for(message for _, message in parsed)
    # Keyed by the house's pk: a model instance as a key hashes through its pk descriptor, eight
    # times per message (3 % of a batch).
    by_house, strangers = defaultdict(list), []
    for incoming, message in parsed:
        house = houses.get((message.meter_id, message.device))
        if house is None:
            strangers.append((incoming, message))
        else:
            by_house[house.pk].append((house, incoming, message))
    with transaction.atomic():
        if strangers:
            unknown.unknown_meters_count(strangers)
            report.count("unknown", len(strangers))
        if by_house:
            _store(by_house, report)
    return report


def houses_for(messages) -> dict[tuple[str, str], House]:
    """(meter ID, device) -> house: the house with that meter ID, else the only house whose key is
    the device (a key used in two communities matches neither)."""
    messages = list(messages)
    meter_ids = {m.meter_id for m in messages if m.meter_id}
    by_meter = {h.meter_id: h for h in House.objects.filter(meter_id__in=meter_ids).only(*HOUSE_FIELDS)}
    devices = {m.device for m in messages if m.meter_id not in by_meter and m.device}
    by_device = defaultdict(list)
    for house in House.objects.filter(house_id__in=devices).only(*HOUSE_FIELDS):
        by_device[house.house_id].append(house)
    _share_communities([*by_meter.values(), *(h for houses in by_device.values() for h in houses)])
    found = {}
    for m in messages:
        if m.meter_id in by_meter:
            found[(m.meter_id, m.device)] = by_meter[m.meter_id]
        elif len(by_device.get(m.device, ())) == 1:
            found[(m.meter_id, m.device)] = by_device[m.device][0]
    return found


# What the feed reads of a house; its community is loaded once per batch, not once per house
# (select_related built 500 community instances for a batch of one community: a fifth of its time).
HOUSE_FIELDS = ("community_id", "house_id", "meter_id", "active_from", "active_until")


def _share_communities(houses: list[House]) -> None:
    communities = Community.objects.in_bulk({house.community_id for house in houses})
    for house in houses:
        house.community = communities[house.community_id]


# The stored state as plain values (no model instances on the hot path): the apportioning state,
# then the counters the new row carries on.
STATE_VALUES = [
    "house_id",
    "last_message_at",
    "ei_kwh",
    "eo_kwh",
    "open_start",
    "open_imported_wh",
    "open_exported_wh",
    "open_estimated",
    "messages",
    "refused_frozen",
    "refused_inactive",
]
# The counters' places, in the stored values and in the new row alike (``writing.STATE_COLUMNS``).
MESSAGES, REFUSED_FROZEN, REFUSED_INACTIVE = 8, 9, 10


def _stored_states(house_pks: list[int]) -> dict[int, tuple]:
    locked = LiveMeterState.objects.select_for_update().filter(house__in=house_pks).order_by("pk")
    return {values[0]: values for values in locked.values_list(*STATE_VALUES)}


def _state_of(values: tuple | None) -> MeterState | None:
    return None if values is None else MeterState(*values[1:8])


def _store(by_house: dict[int, list], report: BatchReport) -> None:
    rows = _stored_states(list(by_house))
    readings, events, new_rows = {}, [], []
    latest = latest_reading_start()
    for house_pk, items in by_house.items():
        house = items[0][0]
        row = rows.get(house_pk)
        state = _state_of(row)
        zone, interval = house.community.zone, dt.timedelta(minutes=house.community.interval_minutes)
        timed = sorted(((m.at(zone, i.received_at), i, m) for _, i, m in items), key=lambda item: item[0])
        for at, _incoming, message in timed:
            if at > latest:
                report.count("future")
                continue
            step = advance(state, Registers(at, message.ei_kwh, message.eo_kwh), interval=interval, zone=zone)
            report.count(step.outcome.value)
            if step.outcome == Outcome.WENT_BACK:
                events.append(_went_back_event(house, state, message, at))
            for reading in step.readings:
                readings[(house_pk, reading.start)] = (house, reading)
            state = step.state
        if state is not None:
            new_rows.append(_state_row(house, row, state, len(items), timed[-1][1].received_at))
    refused = _write_readings(readings, events, report)
    for state_row in new_rows:
        state_row[REFUSED_FROZEN] += refused["frozen"].get(state_row[0], 0)
        state_row[REFUSED_INACTIVE] += refused["inactive"].get(state_row[0], 0)
    live_states_upsert(new_rows)
    report.events += len(MeterEvent.objects.bulk_create(events, ignore_conflicts=True))


def _went_back_event(house, state: MeterState, message: MeterMessage, at) -> MeterEvent:
    return MeterEvent(
        house=house,
        at=at,
        kind=MeterEvent.Kind.WENT_BACK,
        previous_ei_kwh=state.ei_kwh,
        previous_eo_kwh=state.eo_kwh,
        ei_kwh=message.ei_kwh,
        eo_kwh=message.eo_kwh,
    )


def _state_row(house, row: tuple | None, state: MeterState, messages: int, received_at) -> list:
    """The new ``LiveMeterState`` row, column by column (see ``writing.STATE_COLUMNS``)."""
    stored_messages, refused_frozen, refused_inactive = row[MESSAGES : REFUSED_INACTIVE + 1] if row else (0, 0, 0)
    return [
        house.pk,
        state.at,
        state.ei_kwh,
        state.eo_kwh,
        state.open_start,
        state.open_imported_wh,
        state.open_exported_wh,
        state.open_estimated,
        stored_messages + messages,
        refused_frozen,
        refused_inactive,
        received_at or timezone.now(),
    ]


def _write_readings(readings: dict, events: list, report: BatchReport) -> dict[str, dict[int, int]]:
    """Upsert the readings the frozen ranges and active days allow; per house, how many were refused."""
    communities = {house.community_id for house, _ in readings.values()}
    frozen = defaultdict(list)
    for community_id, start, end in FrozenRange.objects.filter(community__in=communities).values_list(
        "community_id", "start", "end"
    ):
        frozen[community_id].append((start, end))
    refused = {"frozen": defaultdict(int), "inactive": defaultdict(int)}
    rows, active = [], {}
    for (house_pk, start), (house, reading) in sorted(readings.items(), key=lambda item: item[0]):
        if house_pk not in active:
            active[house_pk] = house.active_range()
        active_from, active_until = active[house_pk]
        if any(low <= start < high for low, high in frozen[house.community_id]):
            refused["frozen"][house_pk] += 1
        elif start < active_from or (active_until is not None and start >= active_until):
            refused["inactive"][house_pk] += 1
        else:
            rows.append((house_pk, start, reading.imported_wh, reading.exported_wh, reading.estimated))
            events.extend(_large_events(house, reading))
    live_readings_upsert(rows)
    report.readings_written += len(rows)
    report.refused_frozen += sum(refused["frozen"].values())
    report.refused_inactive += sum(refused["inactive"].values())
    return refused


def _large_events(house, reading) -> list[MeterEvent]:
    limit_wh = house.community.max_interval_wh()
    if max(reading.imported_wh, reading.exported_wh) <= limit_wh:
        return []
    detail = f"{reading.imported_wh} Wh in / {reading.exported_wh} Wh out > {limit_wh} Wh"
    return [MeterEvent(house=house, at=reading.start, kind=MeterEvent.Kind.LARGE, detail=detail)]
