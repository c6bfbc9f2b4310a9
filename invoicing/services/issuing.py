"""Issuing: numbering drafts gap-free and freezing them as documents."""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from communities.models import Community
from core.natural_order import natural_key

from .. import event_texts as texts
from .. import lifecycle, queue, selectors
from ..models import Invoice, InvoiceNumberCounter, LifecycleEvent, PdfState, SettlementPeriod
from .drafts import GenerationReport, drafts_refresh
from .periods import forced_by, meter_data_freeze, meter_data_lock, period_gate, period_lock

# Invoices renumbered per UPDATE: 300 keeps the CASE's and the IN list's parameters under SQLite's 999.
ISSUE_UPDATE_BATCH = 300


@dataclass(frozen=True)
class IssueReport:
    generation: GenerationReport
    issued_numbers: list[str]
    forced: bool = False  # issued although readings were missing

    def __str__(self):
        if not self.issued_numbers:
            return gettext("No drafts to issue.")
        count = len(self.issued_numbers)
        numbers = {"count": count, "first": self.issued_numbers[0], "last": self.issued_numbers[-1]}
        if self.forced:
            return (
                ngettext(
                    "Issued %(count)d invoice (forced despite gaps): %(first)s to %(last)s.",
                    "Issued %(count)d invoices (forced despite gaps): %(first)s to %(last)s.",
                    count,
                )
                % numbers
            )
        return (
            ngettext(
                "Issued %(count)d invoice: %(first)s to %(last)s.",
                "Issued %(count)d invoices: %(first)s to %(last)s.",
                count,
            )
            % numbers
        )


def format_invoice_number(series: str, year: int, sequence: int) -> str:
    """``INV-2026-001``: series, year, sequence zero-padded to at least three digits."""
    return f"{series}-{year}-{sequence:03d}"


def invoice_numbers_allocate(*, community: Community, series: str, year: int, count: int) -> list[str]:
    """Take the next ``count`` numbers of a series, gap-free, inside the caller's transaction.

    This counter row's lock is what keeps numbers gap-free and unique: it stays locked until the
    caller commits, so concurrent issuers of the series queue up here whatever else they hold
    (two periods of one community, a close and a cancellation); if the caller rolls back, the
    numbers were never taken. The unique constraint on (community, number) is the last line of
    defence behind it.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers can only be allocated inside the issuing transaction.")
    if count <= 0:
        return []
    # get_or_create first: SELECT ... FOR UPDATE locks nothing when the row does not exist yet.
    InvoiceNumberCounter.objects.get_or_create(community=community, series=series, year=year)
    counter = InvoiceNumberCounter.objects.select_for_update(of=("self",)).get(
        community=community, series=series, year=year
    )
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [format_invoice_number(series, year, sequence) for sequence in range(first, first + count)]


def invoice_due_date(*, community: Community, issued_at: dt.datetime) -> dt.date:
    """The invoice date (the issue's local day in the community's zone) plus its payment terms."""
    return issued_at.astimezone(community.zone).date() + dt.timedelta(days=community.payment_terms_days)


@transaction.atomic
def invoices_issue(
    *, period: SettlementPeriod, acting_user=None, actor_name: str = "", force: bool = False, reason: str = ""
) -> IssueReport:
    """Refresh an open period's drafts from the current readings, then number and freeze them all.

    Behind the same gate as a close (``period_gate``): refused for a month that has not ended,
    and for one with missing readings unless forced with a written ``reason`` by a user allowed
    to force; a refusal comes before any number is taken. Numbers follow the houses' ``house_id``
    in natural order (house_2 before house_10), so a period's invoices read in the same order as its houses. Like a close, it freezes
    the month's meter data first: an issued invoice must never disagree with the readings it was
    computed from. The close (``period_close_start``) does the same in batches; this is the
    one-shot version for small periods and scripts, and a later close only finishes what is missing.
    """
    reason = (reason or "").strip()
    period = period_lock(period)
    meter_data_lock(period)
    completeness = period_gate(period, work="issue", acting_user=acting_user, force=force, reason=reason)
    meter_data_freeze(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    generation = drafts_refresh(period, houses, all_houses=True)
    details = None
    if force:
        details = {"forced": True, "reason": reason, "forced_by": forced_by(acting_user, actor_name)}
    numbers = drafts_issue(period, houses=None, acting_user=acting_user, actor_name=actor_name, details=details)
    if force and numbers:
        lifecycle.note(
            obj=period,
            what=texts.ISSUED_BY_FORCE,
            actor=acting_user,
            actor_name=actor_name,
            details={**details, "invoices": len(numbers), "intervals_missing": completeness.missing},
        )
    return IssueReport(generation=generation, issued_numbers=numbers, forced=force and not completeness.complete)


def drafts_issue(
    period: SettlementPeriod, *, houses, acting_user=None, actor_name: str = "", details=None
) -> list[str]:
    """Number and freeze the period's drafts (of ``houses``, or all), in house order; PDFs after commit.

    One event per invoice (draft -> pending). The caller holds the transaction; the numbers come
    from the locked counter inside it, so a rollback gives them back.
    """
    drafts = period.invoices.filter(status=Invoice.Status.DRAFT).select_related("house")
    if houses is not None:
        drafts = drafts.filter(house__in=houses)
    # house_2 before house_10: the order people read their house list in, not the database's.
    drafts = sorted(drafts, key=lambda invoice: natural_key(invoice.house.house_id))
    numbers = invoice_numbers_allocate(
        community=period.community, series=period.community.invoice_prefix, year=period.year, count=len(drafts)
    )
    for invoice, number in zip(drafts, numbers, strict=True):
        invoice.number = number
    events = lifecycle.transition_many(
        objs=drafts,
        to_status=Invoice.Status.PENDING,
        actor=acting_user,
        actor_name=actor_name,
        details=lambda invoice: {"number": invoice.number, **(details or {})},
    )
    issued_at = timezone.now()
    shared = {
        "status": Invoice.Status.PENDING,
        "issued_at": issued_at,
        "issued_by": acting_user if acting_user is not None and acting_user.pk else None,
        "updated_at": issued_at,
        "pdf_state": PdfState.PENDING,
        "due_date": invoice_due_date(community=period.community, issued_at=issued_at),
    }
    # Only the number differs per invoice: one CASE for it and plain values for the rest, where
    # bulk_update built a CASE per field and row (most of a close step's issuing time).
    for batch in itertools.batched(drafts, ISSUE_UPDATE_BATCH):
        Invoice.objects.filter(pk__in=[invoice.pk for invoice in batch]).update(
            number=Case(*(When(pk=invoice.pk, then=Value(invoice.number)) for invoice in batch)), **shared
        )
    LifecycleEvent.objects.bulk_create(events)
    queue.pdfs_enqueue(invoice_pks=[invoice.pk for invoice in drafts])
    return numbers
