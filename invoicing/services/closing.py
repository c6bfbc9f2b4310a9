"""Closing a period: the completeness gate, then batched, resumable issuing in django-q2 tasks."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.local_format import active_language, whole_number
from core.natural_order import natural_key
from metering.models import FrozenRange

from .. import event_texts as texts
from .. import lifecycle, queue, selectors, statement
from ..models import CancellationNote, Invoice, PdfState, SettlementPeriod, StatementDocument
from .deliveries import deliveries_interrupted_fail, deliveries_queue
from .drafts import drafts_refresh, period_segments
from .issuing import drafts_issue
from .periods import (
    ANY_STATUS,
    forced_by,
    interval_energy_store,
    meter_data_freeze,
    meter_data_lock,
    period_gate,
    period_lock,
)

# 500 houses per step: a step sums ~1.5M quarter-hour readings and writes 500 invoices, lines and
# events, about a second on PostgreSQL; even a community ten times the benchmark's stays far
# inside Q_CLUSTER's 300 s timeout per task, and a crash loses at most one step's work.
CLOSE_BATCH_SIZE = 500
CLOSE_TASK_ACTOR = "close task"


@dataclass(frozen=True)
class CloseStart:
    period: SettlementPeriod
    completeness: selectors.Completeness
    forced: bool

    def __str__(self):
        values = {
            "period": self.period,
            "summary": self.completeness.summary(),
            "invoices": whole_number(len(self.completeness.houses), active_language()),
        }
        if self.forced and not self.completeness.complete:
            return (
                ngettext(
                    "Closing %(period)s started (forced despite gaps): %(summary)s "
                    "%(invoices)s invoice will be issued in the background.",
                    "Closing %(period)s started (forced despite gaps): %(summary)s "
                    "%(invoices)s invoices will be issued in the background.",
                    len(self.completeness.houses),
                )
                % values
            )
        return (
            ngettext(
                "Closing %(period)s started: %(summary)s %(invoices)s invoice will be issued in the background.",
                "Closing %(period)s started: %(summary)s %(invoices)s invoices will be issued in the background.",
                len(self.completeness.houses),
            )
            % values
        )


CLOSE_START_REFUSALS = {
    SettlementPeriod.Status.CLOSING: gettext_lazy(
        "Period %(label)s is already closing; its progress is on the period's page."
    ),
    SettlementPeriod.Status.CLOSED: gettext_lazy("Period %(label)s is already closed; nothing to do."),
}


@transaction.atomic
def period_close_start(
    *, period: SettlementPeriod, acting_user=None, actor_name: str = "", force: bool = False, reason: str = ""
) -> CloseStart:
    """Begin closing a period: check the gate, freeze its meter data, enqueue the close task.

    The gate (``period_gate``, shared with issuing) refuses a month that has not ended, and one
    with missing readings unless forced with a written ``reason`` by a user allowed to force; the
    reason is stored with the user's name. The period moves open -> closing under its row lock,
    so of two closes started at once the second waits and is then told the period is already
    closing. The meter data is frozen here, not at the end: the invoices issued batch by batch
    must all see the same readings.
    """
    reason = (reason or "").strip()
    locked = period_lock(period, refusals=CLOSE_START_REFUSALS)
    meter_data_lock(locked)
    completeness = period_gate(locked, work="close", acting_user=acting_user, force=force, reason=reason)
    period_segments(locked)  # no tariff: refuse now rather than fail in the background
    meter_data_freeze(locked)
    interval_energy_store(locked)
    locked.close_started_at = timezone.now()
    locked.houses_to_invoice = len(completeness.houses)
    locked.close_forced_reason = reason if force else ""
    locked.close_forced_by = forced_by(acting_user, actor_name) if force else ""
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
            return gettext("%(period)s: %(status)s, nothing to do.") % {
                "period": self.period,
                "status": self.period.get_status_display(),
            }
        if self.closed:
            return gettext("%(period)s: closed.") % {"period": self.period}
        if not self.issued_numbers:
            return gettext("%(period)s: nothing issued in this step.") % {"period": self.period}
        return gettext("%(period)s: issued %(first)s to %(last)s.") % {
            "period": self.period,
            "first": self.issued_numbers[0],
            "last": self.issued_numbers[-1],
        }


@transaction.atomic
def period_close_step(*, period: SettlementPeriod, batch_size: int = CLOSE_BATCH_SIZE) -> CloseStep:
    """One step of a close: issue the next ``batch_size`` houses still without an issued invoice,
    or, when none is left, mark the period closed. Enqueues the next step after commit.

    Works out what is missing from the database every time, so running a step twice, two steps at
    once (they queue on the period's row lock) or a step after a crash issues nothing twice.
    """
    locked = period_lock(period, allowed=ANY_STATUS)
    if locked.status != SettlementPeriod.Status.CLOSING:
        return CloseStep(period=locked, issued_numbers=[], nothing_to_do=True)
    billable = selectors.houses_billable_in(period=locked)
    invoiced = locked.invoices.filter(status__in=[Invoice.Status.PENDING, Invoice.Status.PAID]).values("house_id")
    # Batches in natural house order too, so numbers run house_2 before house_10 across batches.
    houses = sorted(billable.exclude(pk__in=invoiced), key=lambda house: natural_key(house.house_id))[:batch_size]
    if houses:
        drafts_refresh(locked, houses, all_houses=False)
        numbers = drafts_issue(locked, houses=houses, actor_name=CLOSE_TASK_ACTOR)
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
    if locked.community.send_invoices_when_closed:
        # Queued now, sent after commit; invoices whose PDF is still rendering go once it is stored.
        deliveries_queue(period=locked, actor_name=CLOSE_TASK_ACTOR)
    return CloseStep(period=locked, issued_numbers=[], closed=True)


def period_close_run(*, period: SettlementPeriod, batch_size: int = CLOSE_BATCH_SIZE) -> SettlementPeriod:
    """All remaining steps of a close in this process (tests, benchmarks, a cluster-less shell)."""
    while True:
        step = period_close_step(period=period, batch_size=batch_size)
        if step.closed or step.nothing_to_do:
            return step.period


@transaction.atomic
def period_close_fail(*, period: SettlementPeriod, error: str) -> SettlementPeriod:
    """Record a failed close step. A period without any issued invoice reopens (and its meter data
    thaws); one with an issued invoice stays closing, with the error on its page, until resumed.

    Any issued invoice counts, not only those of this close: invoices issued beforehand through
    "Issue invoices" were computed from the frozen readings too, and thawing them would let the
    readings change under invoices that can no longer change.
    """
    locked = period_lock(period, allowed=ANY_STATUS)
    if locked.status != SettlementPeriod.Status.CLOSING:
        return locked
    if locked.invoices.filter(status__in=Invoice.ISSUED_STATUSES).exists():
        lifecycle.note(
            obj=locked,
            what=texts.CLOSE_STEP_FAILED,
            actor_name=CLOSE_TASK_ACTOR,
            details={"error": error},
        )
        return locked
    FrozenRange.objects.filter(community=locked.community, start=locked.start, end=locked.end).delete()
    locked.interval_energy.all().delete()
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
def period_close_resume(*, period: SettlementPeriod, acting_user=None, actor_name: str = "") -> str:
    """Enqueue again what a crash, a killed cluster or a failed step left: the next close step, and
    every PDF of the period still pending (invoices, cancellation notes, the frozen statement).
    E-mails a crash cut off while sending are marked failed for staff to check and resend
    (``deliveries_interrupted_fail``), never sent again by themselves.

    Safe while that work is still queued or running: a step works out what is missing, and a PDF
    is stored once. An open period has only PDFs to resume (of invoices issued by "Issue invoices").
    """
    locked = period_lock(period, allowed=ANY_STATUS)
    pending_invoices = list(locked.invoices.filter(pdf_state=PdfState.PENDING).values_list("pk", flat=True))
    pending_notes = list(
        CancellationNote.objects.filter(cancelled_invoice__period=locked, pdf_state=PdfState.PENDING).values_list(
            "pk", flat=True
        )
    )
    pending_statement = (
        StatementDocument.objects.filter(period=locked, pdf_state=PdfState.PENDING).values_list("pk", flat=True).first()
    )
    pdfs = len(pending_invoices) + len(pending_notes) + (pending_statement is not None)
    interrupted = deliveries_interrupted_fail(period=locked)
    if locked.status == SettlementPeriod.Status.OPEN and not (pdfs or interrupted):
        raise ValidationError(
            gettext("Period %(period)s is open and has no PDF waiting; there is nothing to resume.")
            % {"period": locked.month}
        )
    if locked.status == SettlementPeriod.Status.CLOSING:
        queue.close_step_enqueue(period_pk=locked.pk)
    queue.pdfs_enqueue(invoice_pks=pending_invoices, note_pks=pending_notes)
    if pending_statement is not None:
        queue.statement_pdf_enqueue(document_pk=pending_statement)
    lifecycle.note(
        obj=locked,
        what=texts.CLOSE_RESUMED if locked.status != SettlementPeriod.Status.OPEN else texts.PENDING_PDFS_QUEUED,
        actor=acting_user,
        actor_name=actor_name,
        details={"pending_pdfs": pdfs, "interrupted_emails_failed": interrupted},
    )
    return _resumed_message(locked, pdfs=pdfs, interrupted=interrupted)


def _resumed_message(period: SettlementPeriod, *, pdfs: int, interrupted: int) -> str:
    values = {"period": period, "pdfs": pdfs, "emails": interrupted}
    message = {
        SettlementPeriod.Status.OPEN: ngettext(
            "%(period)s: it is open; %(pdfs)s PDF queued again.",
            "%(period)s: it is open; %(pdfs)s PDFs queued again.",
            pdfs,
        ),
        SettlementPeriod.Status.CLOSING: ngettext(
            "%(period)s: the close continues; %(pdfs)s PDF queued again.",
            "%(period)s: the close continues; %(pdfs)s PDFs queued again.",
            pdfs,
        ),
        SettlementPeriod.Status.CLOSED: ngettext(
            "%(period)s: it is closed; %(pdfs)s PDF queued again.",
            "%(period)s: it is closed; %(pdfs)s PDFs queued again.",
            pdfs,
        ),
    }[period.status] % values
    if interrupted:
        message += (
            " "
            + ngettext(
                "%(emails)s e-mail interrupted while sending marked failed: check, then resend.",
                "%(emails)s e-mails interrupted while sending marked failed: check, then resend.",
                interrupted,
            )
            % values
        )
    return message


def statement_freeze(*, period: SettlementPeriod) -> StatementDocument:
    """Freeze the period's community statement as it stands; its PDF is rendered after commit.

    Called by the close in the transaction that marks the period closed; a second call keeps the
    first statement.
    """
    document, created = StatementDocument.objects.get_or_create(
        period=period,
        defaults={
            "content_json": statement.statement_to_json(
                statement.statement_compute(
                    period=period,
                    intervals=selectors.period_interval_energy(period=period, start=period.start, end=period.end),
                )
            ),
            "frozen_at": timezone.now(),
            "pdf_state": PdfState.PENDING,
        },
    )
    if created:
        queue.statement_pdf_enqueue(document_pk=document.pk)
    return document
