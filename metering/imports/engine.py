"""The meter-data import engine behind the admin, the background job and ``import_readings``.

One file, one community, all or nothing:

1. read the file in chunks (``source``) and parse and check every chunk with vectorised pandas /
   numpy (``parsing``), keeping only compact arrays of the valid rows (~36 bytes a row);
2. check the whole file: the same house and interval twice, counters to intervals
   (``registers``), readings inside a closed period (one query, then numpy);
3. only if nothing is wrong, write everything in one transaction (``writing``), set-based.

A dry run does step 3 too and rolls it back, so it reports exactly what an import would do.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.db import transaction

from communities.models import Community, House
from core.energy import kwh_to_wh
from metering.models import FrozenRange, MeterChange, RegisterState

from . import registers
from .errors import ErrorCollector, RowError
from .parsing import INTERVAL, REGISTER, HeaderError, map_columns, parse_kwh, parse_timestamps
from .source import FileRejected, open_table
from .writing import upsert_readings


@dataclass
class ImportResult:
    kind: str = ""  # "interval" or "register"
    file_kind: str = ""  # "csv" or "xlsx"
    rows_read: int = 0
    readings: int = 0  # distinct (house, interval) pairs the file yields
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        text = (
            f"rows read: {self.rows_read}, created: {self.created}, updated: {self.updated}, "
            f"unchanged: {self.unchanged}, errors: {self.error_count}"
        )
        return text + (" (dry run: nothing written)" if self.dry_run else "")


class _Rejected(Exception):
    """Internal: roll back the write transaction (dry run, or a period closed meanwhile)."""


def _seconds(instant: dt.datetime) -> int:
    return int(instant.timestamp())


def _utc_text(seconds) -> str:
    return pd.Timestamp(int(seconds), unit="s").strftime("%Y-%m-%d %H:%M UTC")


@dataclass
class _Rows:
    """The valid rows of the file so far, as compact arrays."""

    house: list = field(default_factory=list)
    at_s: list = field(default_factory=list)
    first: list = field(default_factory=list)
    second: list = field(default_factory=list)
    row: list = field(default_factory=list)

    def append(self, mask, house, at_s, first, second, row):
        self.house.append(house[mask].astype(np.int64))
        self.at_s.append(at_s[mask].astype(np.int64))
        self.first.append(first[mask].astype(np.int64))
        self.second.append(second[mask].astype(np.int64))
        self.row.append(row[mask].astype(np.int64))

    def arrays(self):
        def join(parts):
            return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

        return join(self.house), join(self.at_s), join(self.first), join(self.second), join(self.row)


def readings_import(
    *,
    community: Community,
    fileobj,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import one meter-data file (binary, seekable) for ``community``; see the module docstring."""
    started = time.perf_counter()
    result = ImportResult(dry_run=dry_run)
    errors = ErrorCollector()
    try:
        _run(community, fileobj, dry_run, progress, result, errors)
    except FileRejected as error:
        errors.add(0, "", "", str(error))
    result.error_count = errors.count
    result.errors = errors.listed
    if errors:
        result.created = result.updated = result.unchanged = 0
    result.seconds = time.perf_counter() - started
    return result


def _run(community, fileobj, dry_run, progress, result, errors: ErrorCollector) -> None:
    source = open_table(fileobj)
    result.file_kind = source.kind
    try:
        columns = map_columns(source.header)
    except HeaderError as error:
        errors.add(1, "", "", str(error))
        return
    result.kind = columns.kind
    house_col, time_col, first_col, second_col = columns.names
    house_pks = dict(House.objects.filter(community=community).values_list("house_id", "pk"))
    house_names = {pk: house_id for house_id, pk in house_pks.items()}
    zone = community.zone
    interval_minutes = community.interval_minutes
    limit_wh = community.max_interval_wh()
    decimal_comma = source.delimiter == ";"
    rows = _Rows()

    for chunk in source.chunks():
        frame = chunk.frame
        count = len(frame)
        row = np.arange(chunk.first_row, chunk.first_row + count, dtype=np.int64)
        cells = [
            frame.iloc[:, position].fillna("").astype(object).str.strip()
            for position in (columns.house, columns.timestamp, columns.first, columns.second)
        ]
        house_text, time_text, first_text, second_text = cells
        blank = ((house_text == "") & (time_text == "") & (first_text == "") & (second_text == "")).to_numpy()
        present = ~blank
        result.rows_read += int(present.sum())

        codes, uniques = pd.factorize(house_text, use_na_sentinel=False)
        unique_pks = np.array([house_pks.get(value, -1) for value in uniques], dtype=np.int64)
        house = unique_pks[codes] if count else np.zeros(0, dtype=np.int64)
        house_empty = present & (house_text == "").to_numpy()
        house_unknown = present & (house < 0) & ~house_empty
        errors.add_many(house_empty, row, house_col, house_text, "is empty. Fill in the house id, e.g. house_1.")
        errors.add_many(
            house_unknown,
            row,
            house_col,
            house_text,
            f"is not a house of {community.slug}. Check the id (it is case-sensitive), or add the house "
            "in the admin under Houses first.",
        )

        times = parse_timestamps(time_text, zone=zone, interval_minutes=interval_minutes)
        for mask, message in times.problems:
            errors.add_many(mask & present, row, time_col, time_text, message)

        valid = present & ~house_empty & ~house_unknown & times.ok
        numbers = []
        for text, column in ((first_text, first_col), (second_text, second_col)):
            parsed = parse_kwh(text, decimal_comma_allowed=decimal_comma)
            for mask, message in parsed.problems:
                errors.add_many(mask & present, row, column, text, message)
            negative = parsed.ok & (parsed.wh < 0) & present
            if columns.kind == REGISTER:
                errors.add_many(
                    negative,
                    row,
                    column,
                    text,
                    "is negative, and a counter reading never is. Correct the value from the meter's display.",
                )
            else:
                errors.add_many(
                    negative,
                    row,
                    column,
                    text,
                    "is negative. Energy per interval is never negative: exported and imported are separate "
                    "columns, each zero or positive.",
                )
            ok = parsed.ok & ~negative
            if columns.kind == INTERVAL:
                too_much = ok & (parsed.wh > limit_wh) & present
                errors.add_many(too_much, row, column, text, _implausible_message(community, limit_wh))
                ok &= ~too_much
            valid &= ok
            numbers.append(parsed.wh)
        rows.append(valid, house, times.utc_s, numbers[0], numbers[1], row)
        if progress is not None:
            progress(chunk.first_row - 2 + count)

    if result.rows_read == 0 and not errors:
        errors.add(
            0,
            "",
            "",
            "The file has a header but no data rows. Export the meter data again, with at least one reading.",
        )
        return

    house, at_s, first, second, row = rows.arrays()
    house, at_s, first, second, row = _drop_duplicates(
        house, at_s, first, second, row, errors=errors, house_names=house_names, column=time_col
    )

    new_states = {}
    if columns.kind == REGISTER:
        states, changes = _register_inputs(house)
        intervals, new_states = registers.counters_to_intervals(
            registers.Counters(house, at_s, first, second, row),
            states=states,
            changes=changes,
            interval_s=interval_minutes * 60,
            house_names=house_names,
            columns=(first_col, second_col),
            errors=errors,
        )
        new_states = {
            pk: state for pk, state in new_states.items() if pk not in states or state.read_at_s > states[pk].read_at_s
        }
        house, at_s, exported, imported, row = (
            intervals.house,
            intervals.start_s,
            intervals.exported_wh,
            intervals.imported_wh,
            intervals.row,
        )
        for values, column in ((exported, second_col), (imported, first_col)):
            too_much = values > limit_wh
            errors.add_many(
                too_much,
                row,
                column,
                _LazyText(values, kwh=True),
                _implausible_message(community, limit_wh)
                + " (The value is the difference to the previous counter reading.)",
            )
    else:
        exported, imported = first, second

    result.readings = len(house)
    _check_active(community, house, at_s, row, errors=errors, column=time_col)
    _check_frozen(community, house, at_s, row, errors=errors, column=time_col)
    if errors:
        return

    try:
        with transaction.atomic():
            # Again inside the transaction: a period may have been closed while the file was read.
            # The community row lock queues this write behind a close that is freezing a month
            # (the close takes the same lock), so the check below cannot go stale before commit.
            Community.objects.select_for_update().filter(pk=community.pk).first()
            recheck = ErrorCollector()
            _check_frozen(community, house, at_s, row, errors=recheck, column=time_col)
            if recheck:
                errors.merge(recheck)
                raise _Rejected
            order = np.lexsort((at_s, house))
            written = upsert_readings(house[order], at_s[order], exported[order], imported[order])
            if new_states:
                RegisterState.objects.bulk_create(
                    [
                        RegisterState(
                            house_id=pk,
                            read_at=dt.datetime.fromtimestamp(state.read_at_s, tz=dt.UTC),
                            ei_wh=state.ei_wh,
                            eo_wh=state.eo_wh,
                        )
                        for pk, state in new_states.items()
                    ],
                    update_conflicts=True,
                    unique_fields=["house"],
                    update_fields=["read_at", "ei_wh", "eo_wh", "updated_at"],
                )
            result.created, result.updated = written.created, written.updated
            result.unchanged = result.readings - written.created - written.updated
            if dry_run:
                raise _Rejected
    except _Rejected:
        pass


def _implausible_message(community: Community, limit_wh: int) -> str:
    return (
        f"is more than {limit_wh / 1000:g} kWh, the most one house can plausibly exchange in a "
        f"{community.interval_minutes}-minute interval in {community.slug} "
        f"({community.max_kwh_per_quarter_hour.normalize():f} kWh per quarter hour). Check the unit (kWh, not Wh) and the "
        "value; if it is right, raise the community's limit in the admin."
    )


def _drop_duplicates(house, at_s, first, second, row, *, errors, house_names, column):
    """Identical repeated rows count once; the same house and instant with other values is an error."""
    if len(house) < 2:
        return house, at_s, first, second, row
    order = np.lexsort((row, at_s, house))
    house, at_s, first, second, row = house[order], at_s[order], first[order], second[order], row[order]
    same = (house[1:] == house[:-1]) & (at_s[1:] == at_s[:-1])
    if not same.any():
        return house, at_s, first, second, row
    conflict = same & ((first[1:] != first[:-1]) | (second[1:] != second[:-1]))
    for index in np.flatnonzero(conflict)[: errors.limit]:
        errors.add(
            int(row[index + 1]),
            column,
            _utc_text(at_s[index + 1]),
            f"{house_names[int(house[index])]} has another row for this interval (row {int(row[index])}) with "
            "different values. Keep the right one and delete the other.",
        )
    extra = int(conflict.sum()) - min(int(conflict.sum()), errors.limit)
    errors.count += extra
    keep = np.ones(len(house), dtype=bool)
    keep[1:] = ~same
    return house[keep], at_s[keep], first[keep], second[keep], row[keep]


def _register_inputs(house: np.ndarray):
    pks = [int(pk) for pk in np.unique(house)]
    states = {
        state.house_id: registers.StoredState(_seconds(state.read_at), state.ei_wh, state.eo_wh)
        for state in RegisterState.objects.filter(house_id__in=pks)
    }
    changes = [
        registers.Change(
            house=change.house_id,
            at_s=_seconds(change.changed_at),
            old_ei_final=None if change.old_ei_final_kwh is None else kwh_to_wh(change.old_ei_final_kwh),
            old_eo_final=None if change.old_eo_final_kwh is None else kwh_to_wh(change.old_eo_final_kwh),
            new_ei_start=kwh_to_wh(change.new_ei_start_kwh),
            new_eo_start=kwh_to_wh(change.new_eo_start_kwh),
        )
        for change in MeterChange.objects.filter(house_id__in=pks)
    ]
    return states, changes


def _check_active(community, house, at_s, row, *, errors: ErrorCollector, column: str) -> None:
    """Readings of a house on days it did not belong to the community: they would be billed to it.

    Vectorised: each row's house gets its active range by position; the per-house messages are
    built only for the houses that have such rows.
    """
    if not len(house):
        return
    houses = {obj.pk: obj for obj in House.objects.filter(pk__in=np.unique(house).tolist()).select_related("community")}
    pks = np.array(sorted(houses), dtype=np.int64)
    no_end = np.iinfo(np.int64).max
    starts = np.array([_seconds(houses[pk].active_range()[0]) for pk in pks], dtype=np.int64)
    ends = np.array(
        [no_end if (end := houses[pk].active_range()[1]) is None else _seconds(end) for pk in pks], dtype=np.int64
    )
    position = np.searchsorted(pks, house)
    outside = (at_s < starts[position]) | (at_s >= ends[position])
    for pk in np.unique(house[outside]).tolist():
        obj = houses[pk]
        active = f"active from {obj.active_from:%Y-%m-%d}" + (
            f" until {obj.active_until:%Y-%m-%d}" if obj.active_until else ""
        )
        errors.add_many(
            outside & (house == pk),
            row,
            column,
            _LazyText(at_s),
            f"is outside the days {obj.house_id} belongs to {community.slug} ({active}, local dates). "
            "Remove these rows, or correct the house's active dates in the admin if they are wrong.",
        )


def _check_frozen(community, house, at_s, row, *, errors: ErrorCollector, column: str) -> None:
    """Readings inside a FrozenRange of the community: one query for the ranges, numpy for the rows."""
    for start, end, reason in FrozenRange.objects.filter(community=community).values_list("start", "end", "reason"):
        inside = (at_s >= _seconds(start)) & (at_s < _seconds(end))
        errors.add_many(
            inside,
            row,
            column,
            _LazyText(at_s),
            f"lies in a closed settlement period ({reason}); meter data of a closed period never changes. "
            "Remove the rows of that period from the file; a wrong invoice is corrected by cancelling it.",
        )


class _LazyText:
    """Formats only the values an error is listed for (``ErrorCollector.add_many`` indexes a few)."""

    def __init__(self, values, *, kwh: bool = False):
        self.values = values
        self.kwh = kwh

    def __getitem__(self, index):
        if self.kwh:
            return f"{self.values[index] / 1000:.3f} kWh in the interval"
        return _utc_text(self.values[index])
