"""The meter-data import engine behind the admin, the background job and ``import_readings``.

One file, one community, all or nothing:

1. read the file in chunks (``source``) and parse and check every chunk with vectorised pandas /
   numpy (``rows``, ``parsing``), keeping only compact arrays of the valid rows (~36 bytes a row);
2. check the whole file (``checks``): the same house and interval twice, counters to intervals
   (``registers``), houses' active days, readings inside a closed period (one query, then numpy);
3. only if nothing is wrong, write everything in one transaction (``writing``), set-based.

A dry run does step 3 too and rolls it back, so it reports exactly what an import would do.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction

from communities.models import Community
from core.energy import kwh_to_wh
from metering.models import MeterChange, RegisterState

from . import checks, registers
from .audit import import_audited
from .errors import ErrorCollector, LazyText, RowError
from .parsing import REGISTER, HeaderError, map_columns
from .rows import FileContext, ValidRows, check_chunk
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


@dataclass
class _Readings:
    """What the file yields, one entry per house and interval start, with the file row it came from."""

    house: np.ndarray
    at_s: np.ndarray
    exported_wh: np.ndarray
    imported_wh: np.ndarray
    row: np.ndarray


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
    if not dry_run:
        import_audited(community=community, fileobj=fileobj, result=result)
    return result


def _run(community, fileobj, dry_run, progress, result, errors: ErrorCollector) -> None:
    """The three steps of the module docstring; each returns early once the file has errors."""
    source = open_table(fileobj)
    result.file_kind = source.kind
    try:
        columns = map_columns(source.header)
    except HeaderError as error:
        errors.add(1, "", "", str(error))
        return
    result.kind = columns.kind
    context = FileContext.load(community, columns, decimal_comma=source.delimiter == ";")
    valid = ValidRows()
    for chunk in source.chunks():
        result.rows_read += check_chunk(chunk, context, valid, errors)
        if progress is not None:
            progress(chunk.first_row - 2 + len(chunk.frame))
    if result.rows_read == 0 and not errors:
        errors.add(
            0,
            "",
            "",
            "The file has a header but no data rows. Export the meter data again, with at least one reading.",
        )
        return

    readings, new_states = _readings_of(valid, context, errors)
    result.readings = len(readings.house)
    time_column = columns.names[1]
    checks.check_active(community, readings.house, readings.at_s, readings.row, errors=errors, column=time_column)
    checks.check_frozen(community, readings.house, readings.at_s, readings.row, errors=errors, column=time_column)
    if errors:
        return
    _write(readings, new_states, context, result, errors, dry_run=dry_run)


def _readings_of(valid: ValidRows, context: FileContext, errors: ErrorCollector):
    """The file's readings without repeated rows, counters turned into intervals; and the new counter states."""
    house, at_s, first, second, row = checks.drop_duplicates(
        *valid.arrays(), errors=errors, house_names=context.house_names, column=context.columns.names[1]
    )
    if context.columns.kind != REGISTER:
        return _Readings(house, at_s, first, second, row), {}
    return _counters_to_intervals(registers.Counters(house, at_s, first, second, row), context, errors)


def _counters_to_intervals(counters: registers.Counters, context: FileContext, errors: ErrorCollector):
    """Intervals from the counters (``registers``); the states to store are those newer than the stored ones."""
    ei_column, eo_column = context.columns.names[2:]
    states, changes = _register_inputs(counters.house)
    intervals, new_states = registers.counters_to_intervals(
        counters,
        states=states,
        changes=changes,
        interval_s=context.community.interval_minutes * 60,
        house_names=context.house_names,
        columns=(ei_column, eo_column),
        errors=errors,
    )
    new_states = {
        pk: state for pk, state in new_states.items() if pk not in states or state.read_at_s > states[pk].read_at_s
    }
    readings = _Readings(
        intervals.house, intervals.start_s, intervals.exported_wh, intervals.imported_wh, intervals.row
    )
    for values, column in ((readings.exported_wh, eo_column), (readings.imported_wh, ei_column)):
        errors.add_many(
            values > context.limit_wh,
            readings.row,
            column,
            LazyText(values, kwh=True),
            checks.implausible_message(context.community, context.limit_wh)
            + " (The value is the difference to the previous counter reading.)",
        )
    return readings, new_states


def _register_inputs(house: np.ndarray):
    pks = [int(pk) for pk in np.unique(house)]
    states = {
        state.house_id: registers.StoredState(checks.utc_seconds(state.read_at), state.ei_wh, state.eo_wh)
        for state in RegisterState.objects.filter(house_id__in=pks)
    }
    changes = [
        registers.Change(
            house=change.house_id,
            at_s=checks.utc_seconds(change.changed_at),
            old_ei_final=None if change.old_ei_final_kwh is None else kwh_to_wh(change.old_ei_final_kwh),
            old_eo_final=None if change.old_eo_final_kwh is None else kwh_to_wh(change.old_eo_final_kwh),
            new_ei_start=kwh_to_wh(change.new_ei_start_kwh),
            new_eo_start=kwh_to_wh(change.new_eo_start_kwh),
        )
        for change in MeterChange.objects.filter(house_id__in=pks)
    ]
    return states, changes


def _write(
    readings: _Readings,
    new_states: dict,
    context: FileContext,
    result: ImportResult,
    errors: ErrorCollector,
    *,
    dry_run: bool,
) -> None:
    """Step 3, in one transaction, counted into ``result``; rolled back for a dry run or a period closed meanwhile."""
    community = context.community
    try:
        with transaction.atomic():
            # Again inside the transaction: a period may have been closed while the file was read.
            # The community row lock queues this write behind a close that is freezing a month
            # (the close takes the same lock), so the check below cannot go stale before commit.
            Community.objects.select_for_update().filter(pk=community.pk).first()
            recheck = ErrorCollector()
            checks.check_frozen(
                community, readings.house, readings.at_s, readings.row, errors=recheck, column=context.columns.names[1]
            )
            if recheck:
                errors.merge(recheck)
                raise _Rejected
            order = np.lexsort((readings.at_s, readings.house))
            written = upsert_readings(
                readings.house[order], readings.at_s[order], readings.exported_wh[order], readings.imported_wh[order]
            )
            _save_register_states(new_states)
            result.created, result.updated = written.created, written.updated
            result.unchanged = result.readings - written.created - written.updated
            if dry_run:
                raise _Rejected
    except _Rejected:
        pass


def _save_register_states(new_states: dict) -> None:
    if not new_states:
        return
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
