"""Who is billed in a period, how far its close has come, and what happened to it."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from communities.models import House
from core.local_time import month_first_days

from ..models import CancellationNote, Invoice, PdfState, SettlementPeriod


def houses_billable_in(*, period: SettlementPeriod):
    """Houses active on at least one local day of the period."""
    first_day, following_day = month_first_days(period.month)
    return House.objects.filter(community_id=period.community_id).active_between(
        first_day, following_day - dt.timedelta(days=1)
    )


@dataclass(frozen=True)
class CloseProgress:
    status: str
    invoices_done: int
    invoices_total: int
    pdfs_done: int
    pdfs_failed: int
    pdfs_total: int

    def __str__(self):
        text = (
            f"{self.status}: invoices {self.invoices_done}/{self.invoices_total}, "
            f"PDFs {self.pdfs_done}/{self.pdfs_total}"
        )
        return text + (f" ({self.pdfs_failed} failed)" if self.pdfs_failed else "")

    @property
    def pdfs_waiting(self) -> int:
        """Issued documents whose PDF is neither rendered nor failed yet."""
        return max(self.pdfs_total - self.pdfs_done - self.pdfs_failed, 0)

    @property
    def in_progress(self) -> bool:
        """A close running, or PDFs still being rendered (after a close or an issue): worth watching."""
        return self.status == SettlementPeriod.Status.CLOSING or self.pdfs_waiting > 0

    @property
    def finished(self) -> bool:
        return self.status == SettlementPeriod.Status.CLOSED and self.pdfs_done + self.pdfs_failed >= self.pdfs_total


def period_close_progress(*, period: SettlementPeriod) -> CloseProgress:
    """Invoices done/total and PDFs done/total of a period, in two aggregate queries.

    The invoice total is the number of houses the close started with (or, before a close, the
    houses active now); PDFs count every issued document of the period, cancellations included.
    """
    period.refresh_from_db(fields=["status", "houses_to_invoice"])
    invoices = period.invoices.aggregate(
        live_issued=Count("pk", filter=Q(status__in=[Invoice.Status.PENDING, Invoice.Status.PAID])),
        issued=Count("pk", filter=Q(status__in=Invoice.ISSUED_STATUSES)),
        rendered=Count("pk", filter=Q(pdf_state=PdfState.RENDERED)),
        failed=Count("pk", filter=Q(pdf_state=PdfState.FAILED)),
    )
    notes = CancellationNote.objects.filter(cancelled_invoice__period=period).aggregate(
        total=Count("pk"),
        rendered=Count("pk", filter=Q(pdf_state=PdfState.RENDERED)),
        failed=Count("pk", filter=Q(pdf_state=PdfState.FAILED)),
    )
    total = period.houses_to_invoice
    if total is None:
        total = houses_billable_in(period=period).count()
    return CloseProgress(
        status=period.status,
        invoices_done=invoices["live_issued"],
        invoices_total=total,
        pdfs_done=invoices["rendered"] + notes["rendered"],
        pdfs_failed=invoices["failed"] + notes["failed"],
        pdfs_total=invoices["issued"] + notes["total"],
    )


def period_events(*, period: SettlementPeriod):
    return period.events.filter(invoice__isnull=True).select_related("actor").order_by("at", "pk")
