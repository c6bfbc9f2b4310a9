"""Cumulative registers to interval readings, one message at a time. Pure: no database.

Between two messages the meter's count is taken to grow linearly; the count at any instant is
then ``E(t)`` (Wh, an exact fraction). An interval ``[a, b)`` gets ``floor(E(b)) - floor(E(a))``
whole Wh, so the readings of any run of intervals add up to ``floor(E(end)) - floor(E(start))``:
the register delta within 1 Wh, and exactly when both ends are whole Wh. The sub-Wh remainder is
never lost, it is carried in the register values themselves.

The interval that holds the newest message is open: its reading covers the time up to that
message and grows with the next one. The state keeps what the open interval has so far, so each
reading is written as an absolute value (re-sending it changes nothing).

Out of order: a message older than the meter's last one is *late* and changes nothing. Registers
are cumulative, so the energy between the two messages around it is already written in full; a late
message could only move some of it between the intervals of that span, never change a sum, so the
written readings stay as they are (a re-sent message is the same case). Within one batch messages
are taken in time order, so a message late only within its batch is used like any other.
"""

import datetime as dt
import enum
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

MICROSECOND = dt.timedelta(microseconds=1)


class Outcome(enum.StrEnum):
    FIRST = "first"  # the meter's first message: sets the start values, no energy yet
    STORED = "stored"
    DUPLICATE = "duplicate"  # same instant as the last message: nothing changes
    LATE = "late"  # older than the last message (arrived out of order): nothing changes, see above
    WENT_BACK = "went_back"  # a register lower than before: a meter event, no energy


@dataclass(frozen=True)
class Registers:
    at: dt.datetime  # aware
    ei_kwh: Decimal  # energy in (from the grid), cumulative
    eo_kwh: Decimal  # energy out (to the grid), cumulative


@dataclass(frozen=True)
class MeterState:
    """The last message's registers and the open interval's reading so far."""

    at: dt.datetime
    ei_kwh: Decimal
    eo_kwh: Decimal
    open_start: dt.datetime
    open_imported_wh: int = 0
    open_exported_wh: int = 0
    open_estimated: bool = False


@dataclass(frozen=True)
class Reading:
    start: dt.datetime
    imported_wh: int
    exported_wh: int
    estimated: bool


@dataclass(frozen=True)
class Step:
    outcome: Outcome
    state: MeterState
    readings: tuple[Reading, ...] = ()


def interval_floor(instant: dt.datetime, interval: dt.timedelta, zone: ZoneInfo) -> dt.datetime:
    """Start of the interval holding ``instant``, aligned in local time (10:00, 10:15, ...)."""
    offset = instant.astimezone(zone).utcoffset() or dt.timedelta(0)
    local_s = int(instant.timestamp()) + int(offset.total_seconds())
    step_s = int(interval.total_seconds())
    return dt.datetime.fromtimestamp(local_s - local_s % step_s, dt.UTC) - offset


MWH_PER_KWH_EXPONENT = 6


def _mwh(kwh: Decimal) -> int:
    """The register in whole mWh: registers carry at most six decimals of kWh (the payload and the
    state keep them so), which makes the apportioning integer arithmetic (Fractions took a fifth of
    a batch's time)."""
    mwh = kwh.scaleb(MWH_PER_KWH_EXPONENT)
    if mwh != mwh.to_integral_value():
        raise ValueError(f"A register is kept to 0.001 Wh, not {kwh} kWh.")
    return int(mwh)


def advance(state: MeterState | None, registers: Registers, *, interval: dt.timedelta, zone: ZoneInfo) -> Step:
    """The meter's new state after ``registers`` and the readings it completes or grows."""
    if state is None:
        start = interval_floor(registers.at, interval, zone)
        return Step(Outcome.FIRST, MeterState(registers.at, registers.ei_kwh, registers.eo_kwh, start))
    if registers.at == state.at:
        return Step(Outcome.DUPLICATE, state)
    if registers.at < state.at:
        return Step(Outcome.LATE, state)
    if registers.ei_kwh < state.ei_kwh or registers.eo_kwh < state.eo_kwh:
        return _went_back(state, registers, interval=interval, zone=zone)
    return _apportion(state, registers, interval=interval)


def _went_back(state: MeterState, registers: Registers, *, interval, zone) -> Step:
    """No energy across a reset; the counts start again from the new values.

    The interval of the new message is flagged estimated: what happened before it is unknown.
    """
    start = interval_floor(registers.at, interval, zone)
    if start == state.open_start:
        new_state = replace(state, at=registers.at, ei_kwh=registers.ei_kwh, eo_kwh=registers.eo_kwh)
    else:
        new_state = MeterState(registers.at, registers.ei_kwh, registers.eo_kwh, start)
    new_state = replace(new_state, open_estimated=True)
    return Step(Outcome.WENT_BACK, new_state, (_open_reading(new_state),))


def _open_reading(state: MeterState) -> Reading:
    return Reading(state.open_start, state.open_imported_wh, state.open_exported_wh, state.open_estimated)


def _apportion(state: MeterState, registers: Registers, *, interval: dt.timedelta) -> Step:
    """Spread the deltas linearly over ``[state.at, registers.at]``, interval by interval."""
    t0, t1 = state.at, registers.at
    span_us = (t1 - t0) // MICROSECOND
    ei0, ei1 = _mwh(state.ei_kwh), _mwh(registers.ei_kwh)
    eo0, eo1 = _mwh(state.eo_kwh), _mwh(registers.eo_kwh)
    # An outage: a whole interval after the last message passed without one. The split over the
    # intervals is then a guess, and every interval this span touches says so.
    outage = state.open_start + 2 * interval <= t1
    readings = []
    start = state.open_start
    imported, exported, estimated = state.open_imported_wh, state.open_exported_wh, state.open_estimated
    floor_ei, floor_eo = ei0 // 1000, eo0 // 1000
    while True:
        end = start + interval
        if end > t1:
            break
        # floor(E(end)) in Wh, E growing linearly from E0 at t0 to E1 at t1; all in integers.
        elapsed_us = (end - t0) // MICROSECOND
        next_ei = (ei0 * span_us + (ei1 - ei0) * elapsed_us) // (span_us * 1000)
        next_eo = (eo0 * span_us + (eo1 - eo0) * elapsed_us) // (span_us * 1000)
        imported += next_ei - floor_ei
        exported += next_eo - floor_eo
        readings.append(Reading(start, imported, exported, estimated or outage))
        floor_ei, floor_eo = next_ei, next_eo
        start, imported, exported, estimated = end, 0, 0, False
    imported += ei1 // 1000 - floor_ei
    exported += eo1 // 1000 - floor_eo
    new_state = MeterState(t1, registers.ei_kwh, registers.eo_kwh, start, imported, exported, estimated or outage)
    if t1 > start:
        readings.append(_open_reading(new_state))
    return Step(Outcome.STORED, new_state, tuple(readings))
