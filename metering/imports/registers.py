"""Cumulative counters (Ei in, Eo out) to interval energies. Pure numpy; the engine loads the inputs.

A counter reading at instant T is the meter's count at T. Two readings of one house one interval
apart give that interval's energy: imported = ΔEi, exported = ΔEo, stored at the earlier instant
(the interval start). The first reading of a house continues from its stored RegisterState when
that state is exactly one interval earlier; otherwise it only sets the start value.
"""

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext

from .errors import ErrorCollector


@dataclass
class Counters:
    """Counter readings sorted by (house, instant), one per house and instant."""

    house: np.ndarray  # int64 house pk
    at_s: np.ndarray  # int64 UTC seconds
    ei_wh: np.ndarray
    eo_wh: np.ndarray
    row: np.ndarray  # file row; 0 = the stored state


@dataclass
class StoredState:
    read_at_s: int
    ei_wh: int
    eo_wh: int


@dataclass
class Change:
    """A recorded meter change, all Wh; ``old_*_final`` None when the old meter was not read at removal."""

    house: int
    at_s: int
    old_ei_final: int | None
    old_eo_final: int | None
    new_ei_start: int
    new_eo_start: int


@dataclass
class Intervals:
    house: np.ndarray
    start_s: np.ndarray
    exported_wh: np.ndarray
    imported_wh: np.ndarray
    row: np.ndarray


def _fmt_s(seconds: int) -> str:
    return np.datetime_as_string(np.datetime64(int(seconds), "s"), unit="m").replace("T", " ") + " UTC"


def _kwh(wh: int) -> str:
    return f"{wh / 1000:.3f}"


def counters_to_intervals(
    counters: Counters,
    *,
    states: dict[int, StoredState],
    changes: list[Change],
    interval_s: int,
    house_names: dict[int, str],
    columns: tuple[str, str],
    errors: ErrorCollector,
) -> tuple[Intervals, dict[int, StoredState]]:
    """The interval energies the counters imply, and each house's new state.

    Errors (a counter that goes down with no recorded meter change, a gap between two readings,
    a file that contradicts the stored state) go to ``errors``.
    """
    counters = _continue_from_states(counters, states, house_names=house_names, columns=columns, errors=errors)
    house, at_s, row = counters.house, counters.at_s, counters.row
    pair = house[1:] == house[:-1]
    d_ei, d_eo, changed = _differences(counters, pair, changes)
    gap = _check_gaps(counters, pair, interval_s=interval_s, house_names=house_names, errors=errors)
    keep = pair & ~gap
    _check_going_down(counters, keep, (d_ei, d_eo), changed, house_names=house_names, columns=columns, errors=errors)
    intervals = Intervals(
        house=house[:-1][keep],
        start_s=at_s[:-1][keep],
        exported_wh=d_eo[keep],
        imported_wh=d_ei[keep],
        row=row[1:][keep],
    )
    return intervals, _newest_states(counters)


def _continue_from_states(counters: Counters, states, *, house_names, columns, errors) -> Counters:
    """Each house's first reading continues from its stored state if that is older (a row 0 before it)."""
    house, at_s, ei, eo, row = counters.house, counters.at_s, counters.ei_wh, counters.eo_wh, counters.row
    ei_column, eo_column = columns
    first = np.ones(len(house), dtype=bool)
    first[1:] = house[1:] != house[:-1]
    virtual = []
    for index in np.flatnonzero(first):
        state = states.get(int(house[index]))
        if state is None:
            continue
        if state.read_at_s < at_s[index]:
            virtual.append((house[index], state.read_at_s, state.ei_wh, state.eo_wh, 0))
        elif state.read_at_s == at_s[index] and (state.ei_wh, state.eo_wh) != (ei[index], eo[index]):
            errors.add(
                int(row[index]),
                f"{ei_column}/{eo_column}",
                f"{_kwh(ei[index])}/{_kwh(eo[index])}",
                gettext(
                    "differs from the counter values already stored for %(house)s at this instant "
                    "(%(stored)s kWh). Correct the file, or record a meter change if the meter was replaced."
                )
                % {"house": house_names[int(house[index])], "stored": f"{_kwh(state.ei_wh)}/{_kwh(state.eo_wh)}"},
            )
    if not virtual:
        return counters
    extra = np.array(virtual, dtype=np.int64)
    house = np.concatenate([house, extra[:, 0]])
    at_s = np.concatenate([at_s, extra[:, 1]])
    ei = np.concatenate([ei, extra[:, 2]])
    eo = np.concatenate([eo, extra[:, 3]])
    row = np.concatenate([row, extra[:, 4]])
    order = np.lexsort((at_s, house))
    return Counters(house[order], at_s[order], ei[order], eo[order], row[order])


def _differences(counters: Counters, pair: np.ndarray, changes: list[Change]):
    """Counter differences of consecutive readings (ΔEi, ΔEo), bridged across recorded meter changes;
    and which differences span a change."""
    house, at_s, ei, eo = counters.house, counters.at_s, counters.ei_wh, counters.eo_wh
    prev_at, next_at = at_s[:-1], at_s[1:]
    d_ei = (ei[1:] - ei[:-1]).astype(np.int64)
    d_eo = (eo[1:] - eo[:-1]).astype(np.int64)
    changed = np.zeros(len(d_ei), dtype=bool)
    for change in changes:
        hits = np.flatnonzero(pair & (house[1:] == change.house) & (prev_at < change.at_s) & (next_at >= change.at_s))
        for index in hits:
            changed[index] = True
            old_ei = 0 if change.old_ei_final is None else change.old_ei_final - ei[index]
            old_eo = 0 if change.old_eo_final is None else change.old_eo_final - eo[index]
            d_ei[index] = old_ei + (ei[index + 1] - change.new_ei_start)
            d_eo[index] = old_eo + (eo[index + 1] - change.new_eo_start)
    return d_ei, d_eo, changed


def _check_gaps(counters: Counters, pair: np.ndarray, *, interval_s: int, house_names, errors) -> np.ndarray:
    """Consecutive readings of a house that are not one interval apart: an error each."""
    house, at_s, row = counters.house, counters.at_s, counters.row
    prev_at, next_at = at_s[:-1], at_s[1:]
    gap = pair & (next_at - prev_at != interval_s)
    for index in errors.listed_hits(gap):
        errors.add(
            int(row[1:][index]),
            "timestamp",
            _fmt_s(next_at[index]),
            _gap_message(house_names[int(house[index])], _fmt_s(prev_at[index]), stored=row[index] == 0),
        )
    return gap


def _gap_message(name: str, previous: str, *, stored: bool) -> str:
    if stored:
        message = gettext(
            "is not one interval after the previous counter reading of %(house)s (%(previous)s, stored by an "
            "earlier import). Counter readings must come every interval; add the missing readings (or import "
            "interval energies for the gap)."
        )
    else:
        message = gettext(
            "is not one interval after the previous counter reading of %(house)s (%(previous)s). Counter "
            "readings must come every interval; add the missing readings (or import interval energies for the gap)."
        )
    return message % {"house": name, "previous": previous}


def _check_going_down(counters: Counters, consecutive, deltas, changed, *, house_names, columns, errors) -> None:
    """A counter that goes down between consecutive readings: a meter change is missing or wrong."""
    house, at_s, row = counters.house, counters.at_s, counters.row
    for delta, column, counter in zip(deltas, columns, (counters.ei_wh, counters.eo_wh), strict=True):
        for index in errors.listed_hits(consecutive & (delta < 0)):
            name = house_names[int(house[index])]
            if changed[index]:
                message = gettext(
                    "is below the start value of the new meter recorded in the meter change of %(house)s, or the "
                    "old meter's final value is below its last reading. Check the meter change's values in the admin."
                ) % {"house": name}
            else:
                message = gettext(
                    "is lower than the previous counter reading of %(house)s (%(previous)s kWh at %(at)s): a counter "
                    "never goes down. If the meter was replaced or reset, record a meter change (admin: Meter "
                    "changes) for this house and import again; otherwise correct the value."
                ) % {"house": name, "previous": _kwh(int(counter[index])), "at": _fmt_s(at_s[index])}
            errors.add(int(row[index + 1]), column, _kwh(int(counter[index + 1])), message)


def _newest_states(counters: Counters) -> dict[int, StoredState]:
    """Each house's last reading from the file; none where the stored state is still the newest."""
    house = counters.house
    last = np.ones(len(house), dtype=bool)
    last[:-1] = house[:-1] != house[1:]
    new_states = {}
    for index in np.flatnonzero(last):
        if counters.row[index] == 0:
            continue  # the stored state is still the newest
        new_states[int(house[index])] = StoredState(
            int(counters.at_s[index]), int(counters.ei_wh[index]), int(counters.eo_wh[index])
        )
    return new_states
