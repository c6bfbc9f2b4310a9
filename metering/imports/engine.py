"""The meter-data import engine behind the admin, the background job and ``import_readings``.

One file, one community, all or nothing, in one transaction holding the community's row lock:

1. a thread reads the file in chunks (``source``) and parses and checks each with vectorised
   pandas / numpy (``rows``, ``parsing``), one chunk ahead of the writes;
2. each chunk's valid rows are checked against the rest of the file and the database
   (``checks``): the same house and interval twice, houses' active days, closed periods;
3. while nothing is wrong, each chunk is written at once (``writing``), set-based; so the file is
   never held whole. Counter files (``registers``) become intervals only once they are read whole.

Any error, or a dry run, rolls the transaction back, so a dry run reports exactly what an import
would do.
"""

import contextlib
import datetime as dt
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from communities.models import Community
from core.energy import kwh_to_wh
from metering.models import MeterChange, RegisterState
from metering.signals import readings_imported_announce

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
    # The earliest and latest interval start written (UTC seconds); None while nothing is written.
    written_span_s: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def note_written(self, at_s: np.ndarray) -> None:
        if not len(at_s):
            return
        first, last = int(at_s.min()), int(at_s.max())
        if self.written_span_s is not None:
            first, last = min(first, self.written_span_s[0]), max(last, self.written_span_s[1])
        self.written_span_s = (first, last)

    def summary(self) -> str:
        text = (
            f"rows read: {self.rows_read}, created: {self.created}, updated: {self.updated}, "
            f"unchanged: {self.unchanged}, errors: {self.error_count}"
        )
        return text + (" (dry run: nothing written)" if self.dry_run else "")


class _Rejected(Exception):
    """Internal: roll back the write transaction (a dry run, or a file with errors)."""


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
    if not dry_run and result.ok and (result.created or result.updated):
        first_s, last_s = result.written_span_s
        readings_imported_announce(
            community=community,
            first_start=dt.datetime.fromtimestamp(first_s, tz=dt.UTC),
            last_start=dt.datetime.fromtimestamp(last_s, tz=dt.UTC),
        )
    return result


def _run(community, fileobj, dry_run, progress, result, errors: ErrorCollector) -> None:
    """The steps of the module docstring; the transaction is rolled back once the file has errors."""
    source = open_table(fileobj)
    result.file_kind = source.kind
    try:
        columns = map_columns(source.header)
    except HeaderError as error:
        errors.add(1, "", "", str(error))
        return
    result.kind = columns.kind
    context = FileContext.load(community, columns, decimal_comma=source.delimiter == ";")
    try:
        with transaction.atomic():
            # The community row lock queues this import behind a close that is freezing a month (the
            # close takes the same lock), so the closed periods checked below cannot change before commit.
            Community.objects.select_for_update().filter(pk=community.pk).first()
            _import(source, context, result, errors, progress)
            if errors or dry_run:
                raise _Rejected
    except _Rejected:
        pass
    result.unchanged = result.readings - result.created - result.updated


def _import(source, context: FileContext, result: ImportResult, errors: ErrorCollector, progress) -> None:
    column = context.columns.names[1]
    repeats = checks.RepeatedRows(house_names=context.house_names, column=column)
    frozen = checks.FrozenRows(context.community)
    counters = ValidRows()
    for rows_read, valid in _checked_chunks(source, context, errors, progress):
        result.rows_read += rows_read
        if context.columns.kind == REGISTER:
            counters.extend(valid)
        else:
            distinct = _Readings(*repeats.distinct(*valid.arrays(), errors=errors))
            _check_and_write(distinct, context, frozen, result, errors)
    if result.rows_read == 0 and not errors:
        errors.add(
            0,
            "",
            "",
            gettext("The file has a header but no data rows. Export the meter data again, with at least one reading."),
        )
        return
    if context.columns.kind == REGISTER:
        distinct = registers.Counters(*repeats.distinct(*counters.arrays(), errors=errors))
        readings, new_states = _counters_to_intervals(distinct, context, errors)
        _check_and_write(readings, context, frozen, result, errors)
        if not errors:
            _save_register_states(new_states)
    frozen.report(errors=errors, column=column)


def _checked_chunks(source, context: FileContext, errors: ErrorCollector, progress):
    """Yields ``(rows read, valid rows)`` chunk by chunk, parsed and checked in a thread one chunk ahead,
    so that parsing the next chunk overlaps writing this one (the writes wait on the database)."""
    parsed: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    language = translation.get_language()  # active per thread: row errors speak the caller's language

    def parse() -> None:
        try:
            with translation.override(language):
                _parse_into(parsed, stop, source, context)
        except Exception as error:  # noqa: BLE001 - raised again in the caller's thread
            parsed.put(error)

    thread = threading.Thread(target=parse, name="readings-import-parser", daemon=True)
    thread.start()
    try:
        while (item := parsed.get()) is not None:
            if isinstance(item, Exception):
                raise item
            rows_read, valid, chunk_errors, rows_done = item
            errors.merge(chunk_errors)
            if progress is not None:
                progress(rows_done)
            yield rows_read, valid
    finally:
        stop.set()
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):
                parsed.get(timeout=0.1)


def _parse_into(parsed: queue.Queue, stop: threading.Event, source, context: FileContext) -> None:
    for chunk in source.chunks():
        valid, chunk_errors = ValidRows(), ErrorCollector()
        rows_read = check_chunk(chunk, context, valid, chunk_errors)
        parsed.put((rows_read, valid, chunk_errors, chunk.first_row - 2 + len(chunk.frame)))
        if stop.is_set():
            return
    parsed.put(None)


def _check_and_write(readings: _Readings, context: FileContext, frozen, result: ImportResult, errors) -> None:
    """Checks readings against the database and, while the file has no errors, writes them."""
    column = context.columns.names[1]
    checks.check_active(context.community, readings.house, readings.at_s, readings.row, errors=errors, column=column)
    frozen.tally(readings.at_s, readings.row)
    result.readings += len(readings.house)
    if errors or frozen.hits:
        return
    order = np.lexsort((readings.at_s, readings.house))
    written = upsert_readings(
        readings.house[order], readings.at_s[order], readings.exported_wh[order], readings.imported_wh[order]
    )
    result.created += written.created
    result.updated += written.updated
    result.note_written(readings.at_s)


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
            + " "
            + gettext("(The value is the difference to the previous counter reading.)"),
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
