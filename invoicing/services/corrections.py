"""Correcting an issued invoice: a cancellation document and a corrected invoice, never an edit."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import lifecycle, queue, selectors
from ..models import CancellationNote, Invoice, PdfState, SettlementPeriod
from .deliveries import deliveries_after_cancel
from .drafts import drafts_refresh
from .issuing import drafts_issue, invoice_numbers_allocate
from .periods import period_lock


@dataclass(frozen=True)
class Cancellation:
    note: CancellationNote
    corrected: Invoice | None

    def __str__(self):
        numbers = {"original": self.note.cancelled_invoice.number, "note": self.note.number}
        if self.corrected is None:
            return (
                _(
                    "%(original)s cancelled by %(note)s; the house is no longer active in the period, "
                    "so no corrected invoice."
                )
                % numbers
            )
        return _("%(original)s cancelled by %(note)s; corrected invoice %(corrected)s issued.") % {
            **numbers,
            "corrected": self.corrected.number,
        }


@transaction.atomic
def invoice_cancel(*, invoice: Invoice, reason: str, acting_user=None) -> Cancellation:
    """Cancel an issued invoice: a cancellation document (CN-YYYY-NNN) reversing it, and a corrected
    invoice for the same house and period computed from today's house record and the period's
    frozen readings. The original row and its PDF stay as they are.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A cancellation needs a written reason (it is printed on the cancellation document)."))
    original = Invoice.objects.select_for_update(of=("self",)).select_related("house", "period").get(pk=invoice.pk)
    _refuse_paid(original)
    lifecycle.transition_check(obj=original, to_status=Invoice.Status.CANCELLED)
    # A closing period's invoices belong to its close; open and closed periods take corrections.
    period = period_lock(original.period, allowed=(SettlementPeriod.Status.OPEN, SettlementPeriod.Status.CLOSED))
    community = period.community
    if community.invoice_prefix == CancellationNote.SERIES:
        raise ValidationError(
            _(
                "%(community)s numbers its invoices %(series)s-..., the series of cancellation documents; "
                "change its invoice prefix first."
            )
            % {"community": community, "series": CancellationNote.SERIES}
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
    note = CancellationNote(
        community=community,
        cancelled_invoice=original,
        corrected_by=_corrected_invoice(period, original, acting_user),
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
    deliveries_after_cancel(note=note, acting_user=acting_user)
    return Cancellation(note=note, corrected=note.corrected_by)


def _refuse_paid(invoice: Invoice) -> None:
    """Money booked against an invoice would be lost from the books by cancelling it: the payment
    is undone first (with its reason) and recorded again on the corrected invoice."""
    if invoice.status == Invoice.Status.PAID or invoice.payments.active().exists():
        raise ValidationError(
            _(
                "%(number)s has a recorded payment; undo the payment first (with a reason), then cancel it "
                "and record the payment again on the corrected invoice."
            )
            % {"number": invoice.number}
        )


def _corrected_invoice(period: SettlementPeriod, original: Invoice, acting_user) -> Invoice | None:
    """The original's house invoiced again (issued at once), unless it is no longer active in the period."""
    if not selectors.houses_billable_in(period=period).filter(pk=original.house_id).exists():
        return None
    drafts_refresh(period, [original.house], all_houses=False)
    [number] = drafts_issue(
        period, houses=[original.house], acting_user=acting_user, details={"corrects": original.number}
    )
    return period.invoices.get(number=number)
