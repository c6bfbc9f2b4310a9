"""Writes for invoicing. Keyword-only, atomic; the admin, commands and tasks only call these."""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from communities.models import Community, House
from core.energy import wh_to_kwh
from core.local_time import local_midnight, month_bounds, month_first_days, parse_period_id, period_id_of
from metering.models import FrozenRange

from . import interval_pricing, lifecycle, pricing, queue, selectors, statements
from .models import (
    CancellationNote,
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    LifecycleEvent,
    PdfState,
    SettlementPeriod,
    StatementDocument,
)

HEADER_FIELDS = (
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
    "recipient_name",
    "recipient_address",
    "house_name",
)
LINE_FIELDS = (
    "tariff_id",
    "segment_start",
    "segment_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "p_pv_ct_per_kwh",
    "p_con_ct_per_kwh",
    "export_revenue_ct",
    "import_cost_ct",
)


@dataclass(frozen=True)
class GenerationReport:
    created: int
    updated: int
    unchanged: int
    deleted: int
    already_issued: int

    def __str__(self):
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deleted} removed (house no longer active), {self.already_issued} already issued"
        )


@dataclass(frozen=True)
class IssueReport:
    generation: GenerationReport
    issued_numbers: list[str]

    def __str__(self):
        if not self.issued_numbers:
            return "No drafts to issue."
        return f"Issued {len(self.issued_numbers)} invoices: {self.issued_numbers[0]} to {self.issued_numbers[-1]}."


def period_get_or_create(*, community: Community, period_id: str) -> SettlementPeriod:
    """The community's period for the month ``period_id`` (YYYY-MM), created open if new."""
    try:
        parse_period_id(period_id)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    start, end = month_bounds(period_id, community.zone)
    period, _ = SettlementPeriod.objects.get_or_create(
        community=community, period_id=period_id, defaults={"start": start, "end": end}
    )
    return period


PERIOD_REFUSALS = {
    SettlementPeriod.Status.OPEN: "Period {period} is open; it has not been closed yet.",
    SettlementPeriod.Status.CLOSING: (
        "Period {period} is closing; its invoices are being issued. Wait for the close to finish "
        "(progress on the period's page)."
    ),
    SettlementPeriod.Status.CLOSED: "Period {period} of {community} is closed; its invoices are final.",
}


def _lock_period(period: SettlementPeriod, *, allowed=(SettlementPeriod.Status.OPEN,)) -> SettlementPeriod:
    """The period re-read under a row lock, refused unless its status is one of ``allowed``.

    Every write that depends on a period's status takes this lock first, so a close and a
    preview (or two closes) of one period queue up instead of interleaving.
    """
    locked = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=period.pk)
    if locked.status not in allowed:
        raise ValidationError(
            PERIOD_REFUSALS[locked.status].format(period=locked.period_id, community=locked.community)
        )
    return locked


def _segments(period: SettlementPeriod) -> list:
    tariffs = selectors.tariffs_for_range(community=period.community, start=period.start, end=period.end)
    try:
        return pricing.tariff_segments(tariffs, period.start, period.end)
    except pricing.NoTariffError as error:
        raise ValidationError(f"{period.community}: {error}") from error


def _draft_for(house: House, period: SettlementPeriod, priced: list) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved draft invoice and its lines from ``[(segment, amounts), ...]``."""
    amounts = pricing.total(line_amounts for _, line_amounts in priced)
    invoice = Invoice(
        community_id=period.community_id,
        house=house,
        period=period,
        status=Invoice.Status.DRAFT,
        period_start=period.start,
        period_end=period.end,
        energy_exported_kwh=amounts.exported_kwh,
        energy_imported_kwh=amounts.imported_kwh,
        export_revenue_ct=amounts.export_revenue_ct,
        import_cost_ct=amounts.import_cost_ct,
        net_amount_ct=amounts.net_amount_ct,
        recipient_name=house.owner_name,
        recipient_address=house.address,
        house_name=house.name,
    )
    lines = [
        InvoiceLine(
            tariff=segment.tariff,
            segment_start=segment.start,
            segment_end=segment.end,
            energy_exported_kwh=line_amounts.exported_kwh,
            energy_imported_kwh=line_amounts.imported_kwh,
            p_pv_ct_per_kwh=pricing.average_price(
                amount_ct=line_amounts.export_revenue_ct,
                energy_kwh=line_amounts.exported_kwh,
                otherwise=segment.tariff.p_pv_ct_per_kwh,
            ),
            p_con_ct_per_kwh=pricing.average_price(
                amount_ct=line_amounts.import_cost_ct,
                energy_kwh=line_amounts.imported_kwh,
                otherwise=segment.tariff.p_con_ct_per_kwh,
            ),
            export_revenue_ct=line_amounts.export_revenue_ct,
            import_cost_ct=line_amounts.import_cost_ct,
        )
        for segment, line_amounts in priced
    ]
    return invoice, lines


def _segment_amounts(segment, exported_wh: int, imported_wh: int, break_even_value) -> pricing.Amounts:
    """A house's amounts in one tariff segment: at the tariff's prices, or at each interval's
    break-even prices (``break_even_value``, None when the house has no readings there)."""
    exported_kwh, imported_kwh = wh_to_kwh(exported_wh), wh_to_kwh(imported_wh)
    if not segment.tariff.is_break_even:
        return pricing.price_energy(exported_kwh=exported_kwh, imported_kwh=imported_kwh, prices=segment.tariff.prices)
    if break_even_value is None:
        return pricing.NO_AMOUNTS
    return pricing.Amounts(
        exported_kwh=exported_kwh,
        imported_kwh=imported_kwh,
        export_revenue_ct=break_even_value.export_revenue_ct,
        import_cost_ct=break_even_value.import_cost_ct,
    )


def _same_content(stored: Invoice, stored_lines: list[InvoiceLine], fresh: Invoice, fresh_lines: list[InvoiceLine]):
    def line_values(lines):
        return [tuple(getattr(line, field) for field in LINE_FIELDS) for line in lines]

    return all(getattr(stored, field) == getattr(fresh, field) for field in HEADER_FIELDS) and line_values(
        stored_lines
    ) == line_values(fresh_lines)


@transaction.atomic
def invoices_generate(*, period: SettlementPeriod) -> GenerationReport:
    """Create or refresh one draft invoice per house active in the period (the preview).

    Every active house gets an invoice, a zero one if it has no readings: members expect a
    statement every month, and a missing invoice would hide a missing meter. Issued invoices
    are never touched; drafts of houses no longer active are removed. Running it again with the
    same data changes nothing. Only open periods: a closing or closed period's invoices belong
    to its close.
    """
    period = _lock_period(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    return _generate(period, houses, all_houses=True)


def _generate(period: SettlementPeriod, houses: list[House], *, all_houses: bool) -> GenerationReport:
    """Drafts for ``houses`` from the current readings; with ``all_houses``, also drop stale drafts.

    The caller holds the transaction and decides whether the period's status allows it.
    """
    segments = _segments(period)
    energy = selectors.energy_wh_by_house_and_segment(houses=houses, segments=segments) if houses else {}
    break_even = interval_pricing.break_even_values_by_segment(period=period, segments=segments, houses=houses)

    live_invoices = period.invoices.live().prefetch_related("lines")
    if not all_houses:
        live_invoices = live_invoices.filter(house__in=houses)
    live = {invoice.house_id: invoice for invoice in live_invoices}
    to_create, to_update = [], []
    unchanged = already_issued = 0
    for house in houses:
        priced = [
            (segment, _segment_amounts(segment, exported_wh, imported_wh, break_even.get(index, {}).get(house.pk)))
            for index, (segment, (exported_wh, imported_wh)) in enumerate(zip(segments, energy[house.pk], strict=True))
        ]
        fresh, fresh_lines = _draft_for(house, period, priced)
        stored = live.pop(house.pk, None)
        if stored is None:
            to_create.append((fresh, fresh_lines))
        elif stored.is_issued:
            already_issued += 1
        elif _same_content(stored, list(stored.lines.all()), fresh, fresh_lines):
            unchanged += 1
        else:
            for field in HEADER_FIELDS:
                setattr(stored, field, getattr(fresh, field))
            stored.updated_at = timezone.now()
            to_update.append((stored, fresh_lines))
    stale_drafts = (
        [invoice.pk for invoice in live.values() if invoice.status == Invoice.Status.DRAFT] if all_houses else []
    )

    Invoice.objects.bulk_create([invoice for invoice, _ in to_create])
    if to_update:
        Invoice.objects.bulk_update([invoice for invoice, _ in to_update], [*HEADER_FIELDS, "updated_at"])
        InvoiceLine.objects.filter(invoice__in=[invoice.pk for invoice, _ in to_update]).delete()
    if stale_drafts:
        Invoice.objects.filter(pk__in=stale_drafts).delete()
    new_lines = []
    for invoice, lines in to_create + to_update:
        for line in lines:
            line.invoice = invoice
            new_lines.append(line)
    InvoiceLine.objects.bulk_create(new_lines)
    return GenerationReport(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        deleted=len(stale_drafts),
        already_issued=already_issued,
    )


def format_invoice_number(series: str, year: int, sequence: int) -> str:
    """``INV-2026-001``: series, year, sequence zero-padded to at least three digits."""
    return f"{series}-{year}-{sequence:03d}"


def invoice_numbers_allocate(*, community: Community, series: str, year: int, count: int) -> list[str]:
    """Take the next ``count`` numbers of a series, gap-free, inside the caller's transaction.

    The counter row stays locked until the caller commits, so concurrent issuers queue up; if
    the caller rolls back, the numbers were never taken.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers can only be allocated inside the issuing transaction.")
    if count <= 0:
        return []
    # get_or_create first: SELECT ... FOR UPDATE locks nothing when the row does not exist yet.
    InvoiceNumberCounter.objects.get_or_create(community=community, series=series, year=year)
    counter = InvoiceNumberCounter.objects.select_for_update().get(community=community, series=series, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [format_invoice_number(series, year, sequence) for sequence in range(first, first + count)]


@transaction.atomic
def invoices_issue(*, period: SettlementPeriod, acting_user=None) -> IssueReport:
    """Refresh an open period's drafts from the current readings, then number and freeze them all.

    Numbers follow the houses' ``house_id`` order, so a period's invoices read in the same order
    as its houses. Like a close, it freezes the month's meter data first: an issued invoice must
    never disagree with the readings it was computed from. The close (``period_close_start``)
    does the same in batches, behind the completeness gate; this is the one-shot version for
    small periods and scripts, and a later close of the period only finishes what is missing.
    """
    period = _lock_period(period)
    _lock_meter_data(period)
    _freeze_meter_data(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    generation = _generate(period, houses, all_houses=True)
    numbers = _issue_drafts(period, houses=None, acting_user=acting_user)
    return IssueReport(generation=generation, issued_numbers=numbers)


def _lock_meter_data(period: SettlementPeriod) -> None:
    """Queue behind meter-data writers of the community: imports take this row lock before their
    final frozen-range check, so no reading slips into the month between a check and a freeze."""
    Community.objects.select_for_update().filter(pk=period.community_id).first()


def _freeze_meter_data(period: SettlementPeriod) -> None:
    """Make the month's readings final (``FrozenRange``): invoices are issued from them."""
    FrozenRange.objects.get_or_create(
        community_id=period.community_id,
        start=period.start,
        defaults={"end": period.end, "reason": f"settlement period {period.period_id} is closed"},
    )


def _issue_drafts(
    period: SettlementPeriod, *, houses, acting_user=None, actor_name: str = "", details=None
) -> list[str]:
    """Number and freeze the period's drafts (of ``houses``, or all), in house order; PDFs after commit.

    One event per invoice (draft -> pending). The caller holds the transaction; the numbers come
    from the locked counter inside it, so a rollback gives them back.
    """
    drafts = period.invoices.filter(status=Invoice.Status.DRAFT).select_related("house")
    if houses is not None:
        drafts = drafts.filter(house__in=houses)
    drafts = list(drafts.order_by("house__house_id"))
    numbers = invoice_numbers_allocate(
        community=period.community, series=period.community.invoice_prefix, year=period.year, count=len(drafts)
    )
    for invoice, number in zip(drafts, numbers, strict=True):
        invoice.invoice_id = number
    events = lifecycle.transition_many(
        objs=drafts,
        to_status=Invoice.Status.PENDING,
        actor=acting_user,
        actor_name=actor_name,
        details=lambda invoice: {"number": invoice.invoice_id, **(details or {})},
    )
    issued_at = timezone.now()
    for invoice in drafts:
        invoice.status = Invoice.Status.PENDING
        invoice.issued_at = issued_at
        invoice.issued_by = acting_user if acting_user is not None and acting_user.pk else None
        invoice.updated_at = issued_at
        invoice.pdf_state = PdfState.PENDING
    Invoice.objects.bulk_update(drafts, ["invoice_id", "status", "issued_at", "issued_by", "updated_at", "pdf_state"])
    LifecycleEvent.objects.bulk_create(events)
    queue.pdfs_enqueue(invoice_pks=[invoice.pk for invoice in drafts])
    return numbers


# --- Closing a period ----------------------------------------------------------------------------

# 500 houses per step: a step sums ~1.5M quarter-hour readings and writes 500 invoices, lines and
# events, about a second on PostgreSQL; even a community ten times the benchmark's stays far
# inside Q_CLUSTER's 300 s timeout per task, and a crash loses at most one step's work.
CLOSE_BATCH_SIZE = 500
CLOSE_TASK_ACTOR = "close task"


def user_display_name(user) -> str:
    if user is None:
        return lifecycle.SYSTEM_ACTOR
    full_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


@dataclass(frozen=True)
class CloseStart:
    period: SettlementPeriod
    completeness: selectors.Completeness
    forced: bool

    def __str__(self):
        forced = " (forced despite gaps)" if self.forced and not self.completeness.complete else ""
        return (
            f"Closing {self.period} started{forced}: {self.completeness.summary()} "
            f"{len(self.completeness.houses)} invoices will be issued in the background."
        )


@transaction.atomic
def period_close_start(
    *, period: SettlementPeriod, acting_user=None, actor_name: str = "", force: bool = False, reason: str = ""
) -> CloseStart:
    """Begin closing a period: check completeness, freeze its meter data, enqueue the close task.

    Refused while readings are missing unless ``force`` with a written ``reason``, which is stored
    with the user's name. The period moves open -> closing under its row lock, so of two closes
    started at once the second waits and is then told the period is already closing. The meter
    data is frozen here, not at the end: the invoices issued batch by batch must all see the same
    readings.
    """
    reason = (reason or "").strip()
    if force and not reason:
        raise ValidationError("A forced close needs a written reason (e.g. 'meter of house_4 replaced, data lost').")
    locked = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=period.pk)
    if locked.status == SettlementPeriod.Status.CLOSING:
        raise ValidationError(f"Period {locked} is already closing; its progress is on the period's page.")
    if locked.status == SettlementPeriod.Status.CLOSED:
        raise ValidationError(f"Period {locked} is already closed; nothing to do.")
    _lock_meter_data(locked)
    _segments(locked)  # no tariff: refuse now rather than fail in the background
    completeness = selectors.period_completeness(period=locked)
    if not completeness.complete and not force:
        worst = ", ".join(f"{house.house_id} ({house.missing:,} missing)" for house in completeness.with_gaps[:5])
        raise ValidationError(
            f"Period {locked} is incomplete: {completeness.summary()} ({worst}"
            f"{', ...' if len(completeness.with_gaps) > 5 else ''}). Import the missing readings, or force the "
            "close with a written reason."
        )
    _freeze_meter_data(locked)
    locked.close_started_at = timezone.now()
    locked.houses_to_invoice = len(completeness.houses)
    locked.close_forced_reason = reason if force else ""
    locked.close_forced_by = (
        (user_display_name(acting_user) if acting_user is not None else lifecycle.actor_label(None, actor_name))
        if force
        else ""
    )
    details = {
        "houses": len(completeness.houses),
        "houses_with_gaps": len(completeness.with_gaps),
        "intervals_expected": completeness.expected,
        "intervals_missing": completeness.missing,
    }
    if force:
        details |= {"forced": True, "reason": reason, "forced_by": locked.close_forced_by}
    lifecycle.transition(
        obj=locked,
        to_status=SettlementPeriod.Status.CLOSING,
        actor=acting_user,
        actor_name=actor_name,
        details=details,
        save_fields=["close_started_at", "houses_to_invoice", "close_forced_reason", "close_forced_by"],
    )
    queue.close_step_enqueue(period_pk=locked.pk)
    return CloseStart(period=locked, completeness=completeness, forced=force)


@dataclass(frozen=True)
class CloseStep:
    period: SettlementPeriod
    issued_numbers: list[str]
    closed: bool = False
    nothing_to_do: bool = False

    def __str__(self):
        if self.nothing_to_do:
            return f"{self.period}: {self.period.status}, nothing to do."
        if self.closed:
            return f"{self.period}: closed."
        if not self.issued_numbers:
            return f"{self.period}: nothing issued in this step."
        return f"{self.period}: issued {self.issued_numbers[0]} to {self.issued_numbers[-1]}."


@transaction.atomic
def period_close_step(*, period: SettlementPeriod, batch_size: int = CLOSE_BATCH_SIZE) -> CloseStep:
    """One step of a close: issue the next ``batch_size`` houses still without an issued invoice,
    or, when none is left, mark the period closed. Enqueues the next step after commit.

    Works out what is missing from the database every time, so running a step twice, two steps at
    once (they queue on the period's row lock) or a step after a crash issues nothing twice.
    """
    locked = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=period.pk)
    if locked.status != SettlementPeriod.Status.CLOSING:
        return CloseStep(period=locked, issued_numbers=[], nothing_to_do=True)
    billable = selectors.houses_billable_in(period=locked)
    invoiced = locked.invoices.filter(status__in=[Invoice.Status.PENDING, Invoice.Status.PAID]).values("house_id")
    houses = list(billable.exclude(pk__in=invoiced).order_by("house_id")[:batch_size])
    if houses:
        _generate(locked, houses, all_houses=False)
        numbers = _issue_drafts(locked, houses=houses, actor_name=CLOSE_TASK_ACTOR)
        queue.close_step_enqueue(period_pk=locked.pk)
        return CloseStep(period=locked, issued_numbers=numbers)

    # Every active house has its invoice: drafts left belong to houses no longer active.
    locked.invoices.filter(status=Invoice.Status.DRAFT).delete()
    statement_freeze(period=locked)
    locked.closed_at = timezone.now()
    issued = locked.invoices.filter(status__in=[Invoice.Status.PENDING, Invoice.Status.PAID]).count()
    lifecycle.transition(
        obj=locked,
        to_status=SettlementPeriod.Status.CLOSED,
        actor_name=CLOSE_TASK_ACTOR,
        details={"invoices": issued},
        save_fields=["closed_at"],
    )
    return CloseStep(period=locked, issued_numbers=[], closed=True)


def period_close_run(*, period: SettlementPeriod, batch_size: int = CLOSE_BATCH_SIZE) -> SettlementPeriod:
    """All remaining steps of a close in this process (tests, benchmarks, a cluster-less shell)."""
    while True:
        step = period_close_step(period=period, batch_size=batch_size)
        if step.closed or step.nothing_to_do:
            return step.period


@transaction.atomic
def period_close_fail(*, period: SettlementPeriod, error: str) -> SettlementPeriod:
    """Record a failed close step. Before anything was issued the period reopens (and its meter
    data thaws); afterwards it stays closing, with the error on its page, until resumed.
    """
    locked = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=period.pk)
    if locked.status != SettlementPeriod.Status.CLOSING:
        return locked
    issued_by_this_close = locked.invoices.filter(
        status__in=Invoice.ISSUED_STATUSES, issued_at__gte=locked.close_started_at
    ).exists()
    if issued_by_this_close:
        lifecycle.note(
            obj=locked,
            what="Close step failed; some invoices are issued, so the period stays closing. Resume the close.",
            actor_name=CLOSE_TASK_ACTOR,
            details={"error": error},
        )
        return locked
    FrozenRange.objects.filter(community=locked.community, start=locked.start, end=locked.end).delete()
    locked.houses_to_invoice = None
    lifecycle.transition(
        obj=locked,
        to_status=SettlementPeriod.Status.OPEN,
        actor_name=CLOSE_TASK_ACTOR,
        details={"error": error},
        save_fields=["houses_to_invoice"],
    )
    return locked


@transaction.atomic
def period_close_resume(*, period: SettlementPeriod, acting_user=None) -> str:
    """Enqueue again what a crashed or failed close left: the next close step and pending PDFs."""
    locked = _lock_period(period, allowed=(SettlementPeriod.Status.CLOSING, SettlementPeriod.Status.CLOSED))
    pending_invoices = list(locked.invoices.filter(pdf_state=PdfState.PENDING).values_list("pk", flat=True))
    pending_notes = list(
        CancellationNote.objects.filter(cancelled_invoice__period=locked, pdf_state=PdfState.PENDING).values_list(
            "pk", flat=True
        )
    )
    if locked.status == SettlementPeriod.Status.CLOSING:
        queue.close_step_enqueue(period_pk=locked.pk)
    queue.pdfs_enqueue(invoice_pks=pending_invoices, note_pks=pending_notes)
    lifecycle.note(
        obj=locked,
        what="Close resumed",
        actor=acting_user,
        details={"pending_pdfs": len(pending_invoices) + len(pending_notes)},
    )
    what = "the close continues" if locked.status == SettlementPeriod.Status.CLOSING else "it is closed"
    return f"{locked}: {what}; {len(pending_invoices) + len(pending_notes)} PDFs queued again."


# --- After issue: payment and cancellation --------------------------------------------------------


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, acting_user=None) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    lifecycle.transition(obj=locked, to_status=Invoice.Status.PAID, actor=acting_user)
    return locked


@dataclass(frozen=True)
class Cancellation:
    note: CancellationNote
    corrected: Invoice | None

    def __str__(self):
        original = self.note.cancelled_invoice.invoice_id
        if self.corrected is None:
            return f"{original} cancelled by {self.note.number}; the house is no longer active in the period, so no corrected invoice."
        return f"{original} cancelled by {self.note.number}; corrected invoice {self.corrected.invoice_id} issued."


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, reason: str, acting_user=None) -> Cancellation:
    """Cancel an issued invoice: a cancellation document (CN-YYYY-NNN) reversing it, and a corrected
    invoice for the same house and period computed from today's house record and the period's
    frozen readings. The original row and its PDF stay as they are.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A cancellation needs a written reason (it is printed on the cancellation document).")
    original = Invoice.objects.select_for_update().select_related("house", "community").get(pk=invoice.pk)
    lifecycle.transition_check(obj=original, to_status=Invoice.Status.CANCELLED)
    period = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=original.period_id)
    if period.status == SettlementPeriod.Status.CLOSING:
        raise ValidationError(
            PERIOD_REFUSALS[period.status].format(period=period.period_id, community=period.community)
        )
    community = period.community
    if community.invoice_prefix == CancellationNote.SERIES:
        raise ValidationError(
            f"{community} numbers its invoices {CancellationNote.SERIES}-..., the series of cancellation documents; "
            "change its invoice prefix first."
        )
    [cancellation_number] = invoice_numbers_allocate(
        community=community, series=CancellationNote.SERIES, year=period.year, count=1
    )
    lifecycle.transition(
        obj=original,
        to_status=Invoice.Status.CANCELLED,
        actor=acting_user,
        details={"reason": reason, "cancellation": cancellation_number},
    )
    corrected = None
    if selectors.houses_billable_in(period=period).filter(pk=original.house_id).exists():
        _generate(period, [original.house], all_houses=False)
        [number] = _issue_drafts(
            period, houses=[original.house], acting_user=acting_user, details={"corrects": original.invoice_id}
        )
        corrected = period.invoices.get(invoice_id=number)
    note = CancellationNote(
        community=community,
        cancelled_invoice=original,
        corrected_by=corrected,
        number=cancellation_number,
        reason=reason,
        net_amount_ct=-original.net_amount_ct,
        issued_at=timezone.now(),
        issued_by=acting_user if acting_user is not None and acting_user.pk else None,
        pdf_state=PdfState.PENDING,
    )
    note.full_clean()
    note.save()
    queue.pdfs_enqueue(note_pks=[note.pk])
    return Cancellation(note=note, corrected=corrected)


# --- PDFs ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderReport:
    rendered: int
    failed: int
    skipped: int

    def __str__(self):
        return f"{self.rendered} PDFs rendered, {self.failed} failed, {self.skipped} already done"


def _pdf_name(community_slug: str, year: int, number: str) -> str:
    return f"invoices/{community_slug}/{year}/{number}.pdf"


def documents_render(*, invoice_pks=(), note_pks=()) -> RenderReport:
    """Render and store the PDFs of issued invoices and cancellation notes still waiting for one.

    Runs after the issuing transaction committed (from a task). Each PDF is saved under
    MEDIA_ROOT through ``default_storage`` with its SHA-256, and its row is updated only if it is
    still waiting, so two tasks on the same document keep one file. A failure marks that document
    failed (visible and retryable in the admin) and the others go on.
    """
    from . import documents

    invoices = list(
        Invoice.objects.filter(pk__in=list(invoice_pks), pdf_state=PdfState.PENDING).select_related(
            "community", "period"
        )
    )
    notes = list(
        CancellationNote.objects.filter(pk__in=list(note_pks), pdf_state=PdfState.PENDING).select_related(
            "community", "cancelled_invoice__period"
        )
    )
    skipped = len(set(invoice_pks)) + len(set(note_pks)) - len(invoices) - len(notes)
    targets = [(Invoice, row, row.invoice_id, row.period) for row in invoices] + [
        (CancellationNote, row, row.number, row.cancelled_invoice.period) for row in notes
    ]
    try:
        built = selectors.invoice_documents(invoices=invoices, notes=notes)
    except Exception as error:  # noqa: BLE001 - any failure must become visible on every document
        built = [error] * len(targets)
    rendered = failed = 0
    for (model, row, number, period), document in zip(targets, built, strict=True):
        try:
            if isinstance(document, Exception):
                raise document
            pdf = documents.render_pdf(document)
        except Exception as error:  # noqa: BLE001
            failed += 1
            _pdf_failed(model, row, period, f"{type(error).__name__}: {error}")
            continue
        name = default_storage.save(_pdf_name(row.community.slug, period.year, number), ContentFile(pdf))
        updated = model.objects.filter(pk=row.pk, pdf_state=PdfState.PENDING).update(
            pdf_file=name,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            pdf_state=PdfState.RENDERED,
            pdf_rendered_at=timezone.now(),
            pdf_error="",
        )
        if updated:
            rendered += 1
        else:
            default_storage.delete(name)  # another task stored this document's PDF meanwhile
            skipped += 1
    return RenderReport(rendered=rendered, failed=failed, skipped=skipped)


def _pdf_failed(model, row, period, error: str) -> None:
    with transaction.atomic():
        model.objects.filter(pk=row.pk, pdf_state=PdfState.PENDING).update(pdf_state=PdfState.FAILED, pdf_error=error)
        invoice = row if model is Invoice else row.cancelled_invoice
        number = row.invoice_id if model is Invoice else row.number
        lifecycle.note(obj=invoice, what=f"PDF of {number} failed to render", details={"error": error})


@transaction.atomic
def document_pdf_retry(*, document, acting_user=None) -> str:
    """Queue a failed render again (an Invoice or a CancellationNote)."""
    model = type(document)
    locked = model.objects.select_for_update().get(pk=document.pk)
    if locked.pdf_state != PdfState.FAILED:
        raise ValidationError(f"The PDF of {locked} has not failed (it is {locked.get_pdf_state_display().lower()}).")
    model.objects.filter(pk=locked.pk).update(pdf_state=PdfState.PENDING, pdf_error="")
    invoice = locked if model is Invoice else locked.cancelled_invoice
    lifecycle.note(obj=invoice, what=f"PDF of {locked} queued again", actor=acting_user)
    if model is Invoice:
        queue.pdfs_enqueue(invoice_pks=[locked.pk])
    else:
        queue.pdfs_enqueue(note_pks=[locked.pk])
    return f"The PDF of {locked} is queued for rendering again."


# --- The community statement of a closed period ---------------------------------------------------

STATEMENT_PDF_TEMPLATE = "invoicing/pdf/statement.html"


def statement_freeze(*, period: SettlementPeriod) -> StatementDocument:
    """Freeze the period's community statement as it stands; its PDF is rendered after commit.

    Called by the close in the transaction that marks the period closed; a second call keeps the
    first statement.
    """
    document, created = StatementDocument.objects.get_or_create(
        period=period,
        defaults={
            "content_json": statements.statement_to_json(statements.community_statement(period=period)),
            "frozen_at": timezone.now(),
            "pdf_state": PdfState.PENDING,
        },
    )
    if created:
        queue.statement_pdf_enqueue(document_pk=document.pk)
    return document


def statement_pdf_render(*, document_pk: int) -> str:
    """Render and store a frozen statement's PDF, once; a failure is kept on the row for a retry."""
    from . import documents

    document = (
        StatementDocument.objects.filter(pk=document_pk, pdf_state=PdfState.PENDING)
        .select_related("period__community")
        .first()
    )
    if document is None:
        return f"statement {document_pk}: no PDF waiting"
    period = document.period
    try:
        frozen = statements.statement_from_json(document.content_json)
        pdf = documents.render_template_pdf(
            STATEMENT_PDF_TEMPLATE,
            statements.statement_pdf_context(frozen, community=period.community, font_family=documents.FONT_FAMILY),
            identifier=f"statement:{period.community.slug}:{period.period_id}",
        )
    except Exception as error:  # noqa: BLE001 - any failure must become visible and retryable
        StatementDocument.objects.filter(pk=document.pk, pdf_state=PdfState.PENDING).update(
            pdf_state=PdfState.FAILED, pdf_error=f"{type(error).__name__}: {error}"
        )
        lifecycle.note(
            obj=period, what="PDF of the community statement failed to render", details={"error": str(error)}
        )
        return f"{document}: failed"
    name = default_storage.save(f"statements/{period.community.slug}/{period.period_id}.pdf", ContentFile(pdf))
    updated = StatementDocument.objects.filter(pk=document.pk, pdf_state=PdfState.PENDING).update(
        pdf_file=name,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_state=PdfState.RENDERED,
        pdf_rendered_at=timezone.now(),
        pdf_error="",
    )
    if not updated:
        default_storage.delete(name)  # another task stored it meanwhile
    return f"{document}: rendered"


@transaction.atomic
def statement_pdf_retry(*, document: StatementDocument, acting_user=None) -> str:
    locked = StatementDocument.objects.select_for_update().select_related("period").get(pk=document.pk)
    if locked.pdf_state != PdfState.FAILED:
        raise ValidationError(f"The PDF of {locked} has not failed (it is {locked.get_pdf_state_display().lower()}).")
    StatementDocument.objects.filter(pk=locked.pk).update(pdf_state=PdfState.PENDING, pdf_error="")
    lifecycle.note(obj=locked.period, what="PDF of the community statement queued again", actor=acting_user)
    queue.statement_pdf_enqueue(document_pk=locked.pk)
    return f"The PDF of {locked} is queued for rendering again."


# --- Scheduled closing -----------------------------------------------------------------------------

SCHEDULE_ACTOR = "schedule"
CLOSE_SCHEDULE_NAME = "Close settlement periods after their grace days"
CLOSE_SCHEDULE_FUNC = "invoicing.tasks.periods_close_due_task"


def _month_after(period_id: str) -> str:
    year, month = parse_period_id(period_id)
    return f"{year + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


def _month_before(period_id: str) -> str:
    year, month = parse_period_id(period_id)
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"


def close_due_at(*, period_id: str, zone, grace_days: int) -> dt.datetime:
    """When a month may be closed: local midnight ``grace_days`` days after it ends (DST-proof)."""
    _, following_day = month_first_days(period_id)
    return local_midnight(following_day + dt.timedelta(days=grace_days), zone)


@dataclass(frozen=True)
class DueReport:
    started: list[str]
    refused: list[str]
    opened: list[str]

    def __str__(self):
        parts = [f"{len(self.started)} closes started", f"{len(self.opened)} periods opened"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused: " + "; ".join(self.refused))
        return ", ".join(parts) + "."


def periods_close_due(*, grace_days: int | None = None, now: dt.datetime | None = None) -> DueReport:
    """Close every community's months whose grace days are over, and open the months after them.

    What is due is worked out from the periods' statuses, not from when the schedule last ran:
    a missed run (cluster down for days or months) is caught up by the next one, month by month
    from the month after the last closed (or closing) period, and a period already closing or
    closed is never closed again. A community that never closed anything starts with the latest
    due month. Incomplete periods are not forced: the refusal is recorded on the period for staff.
    """
    grace = settings.LEG_CLOSE_GRACE_DAYS if grace_days is None else grace_days
    if not 0 <= grace <= 27:
        raise ValidationError(f"Grace days must be between 0 and 27, not {grace}.")
    now = now or timezone.now()
    started, refused, opened = [], [], []
    for community in Community.objects.order_by("slug"):
        zone = community.zone
        latest_due = _month_before(period_id_of(now, zone))
        if close_due_at(period_id=latest_due, zone=zone, grace_days=grace) > now:
            latest_due = _month_before(latest_due)
        last_closed = (
            community.periods.exclude(status=SettlementPeriod.Status.OPEN)
            .order_by("-period_id")
            .values_list("period_id", flat=True)
            .first()
        )
        month = _month_after(last_closed) if last_closed else latest_due
        # Open periods before the last closed one (skipped by hand) are due as well.
        due = list(
            community.periods.filter(status=SettlementPeriod.Status.OPEN, period_id__lt=month).values_list(
                "period_id", flat=True
            )
        )
        while month <= latest_due:
            due.append(month)
            month = _month_after(month)
        for period_id in sorted(due):
            period = period_get_or_create(community=community, period_id=period_id)
            try:
                period_close_start(period=period, actor_name=SCHEDULE_ACTOR)
            except ValidationError as error:
                message = " ".join(error.messages)
                refused.append(f"{community.slug} {period_id}: {message}")
                with transaction.atomic():
                    lifecycle.note(
                        obj=period,
                        what="Scheduled close refused",
                        actor_name=SCHEDULE_ACTOR,
                        details={"error": message},
                    )
                continue
            started.append(f"{community.slug} {period_id}")
            following = _month_after(period_id)
            if not community.periods.filter(period_id=following).exists():
                period_get_or_create(community=community, period_id=following)
                opened.append(f"{community.slug} {following}")
    return DueReport(started=started, refused=refused, opened=opened)


def close_schedule_ensure(*, grace_days: int, run_at: dt.time, now: dt.datetime | None = None):
    """The one django-q2 schedule that runs ``periods_close_due`` daily, created or brought up to date.

    Idempotent: run on every start, it changes nothing when the schedule already matches, and
    keeps the next run it had (so restarting the server does not postpone a due run).
    Returns ``(schedule, "created" | "updated" | "unchanged")``.
    """
    from django_q.models import Schedule

    if not 0 <= grace_days <= 27:
        raise ValidationError(f"Grace days must be between 0 and 27, not {grace_days}.")
    now = now or timezone.now()
    next_run = dt.datetime.combine(now.astimezone(dt.UTC).date(), run_at, tzinfo=dt.UTC)
    if next_run <= now:
        next_run += dt.timedelta(days=1)
    wanted = {
        "func": CLOSE_SCHEDULE_FUNC,
        "args": None,
        # django-q2 keeps kwargs as the text of a call's keyword arguments and evaluates it.
        "kwargs": f"grace_days={int(grace_days)}",
        "schedule_type": Schedule.DAILY,
        "repeats": -1,
    }
    with transaction.atomic():
        schedules = list(Schedule.objects.select_for_update().filter(name=CLOSE_SCHEDULE_NAME).order_by("pk"))
        if not schedules:
            return Schedule.objects.create(name=CLOSE_SCHEDULE_NAME, next_run=next_run, **wanted), "created"
        schedule, duplicates = schedules[0], schedules[1:]
        for duplicate in duplicates:
            duplicate.delete()
        changed = [name for name, value in wanted.items() if getattr(schedule, name) != value]
        current_time = schedule.next_run.astimezone(dt.UTC).time() if schedule.next_run else None
        if current_time != run_at:
            schedule.next_run = next_run
            changed.append("next_run")
        if not changed and not duplicates:
            return schedule, "unchanged"
        for name, value in wanted.items():
            setattr(schedule, name, value)
        schedule.save()
        return schedule, "updated"
