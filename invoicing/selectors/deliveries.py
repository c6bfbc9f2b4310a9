"""What the e-mail delivery of a period and of an invoice stands at."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext as _

from ..models import Invoice, InvoiceDelivery, SettlementPeriod
from .periods import houses_billable_in

Status = InvoiceDelivery.Status


@dataclass(frozen=True)
class PeriodDeliveries:
    sent: int
    waiting: int  # queued or being sent (a queued one may wait for its PDF)
    failed: int  # failed and not resent yet
    not_emailed: int  # issued, live invoices never queued (e.g. their house has no address)
    houses_without_email: list  # House rows of the period without an e-mail address

    def __str__(self):
        return _("%(sent)d sent, %(waiting)d waiting, %(failed)d failed, %(not_emailed)d invoices not e-mailed") % {
            "sent": self.sent,
            "waiting": self.waiting,
            "failed": self.failed,
            "not_emailed": self.not_emailed,
        }


def open_failures():
    """Failed e-mails nobody has resent yet: what staff still have to act on."""
    return InvoiceDelivery.objects.filter(status=Status.FAILED, resends__isnull=True)


def period_deliveries(*, period: SettlementPeriod) -> PeriodDeliveries:
    """Counts of the period's e-mails, and the houses it cannot e-mail, in four queries."""
    rows = InvoiceDelivery.objects.filter(invoice__period=period)
    never_queued = period.invoices.filter(status__in=(Invoice.Status.PENDING, Invoice.Status.PAID)).exclude(
        Exists(InvoiceDelivery.objects.filter(invoice=OuterRef("pk"), kind=InvoiceDelivery.Kind.INVOICE))
    )
    return PeriodDeliveries(
        sent=rows.filter(status=Status.SENT).count(),
        waiting=rows.filter(status__in=(Status.QUEUED, Status.SENDING)).count(),
        failed=open_failures().filter(invoice__period=period).count(),
        not_emailed=never_queued.count(),
        houses_without_email=list(houses_billable_in(period=period).filter(email="").order_by("house_id")),
    )


def latest_delivery_status():
    """An annotation for invoices: the status of their latest e-mail (None before any)."""
    latest = InvoiceDelivery.objects.filter(invoice=OuterRef("pk")).order_by("-queued_at", "-pk")
    return Subquery(latest.values("status")[:1])


def invoice_deliveries(*, invoice: Invoice):
    """Every e-mail of an invoice and of its cancellation note, newest first."""
    return InvoiceDelivery.objects.filter(invoice=invoice).select_related("cancellation_note", "resend_of")
