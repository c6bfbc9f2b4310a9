import datetime as dt
import hashlib
import operator
from functools import reduce

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from ..models import Invoice, PdfState, SettlementPeriod

# A stored PDF that is not the one rendered (a damaged or replaced file): the export refuses it too.
DAMAGED_PDF = gettext_lazy("The stored PDF of %(documents)s does not match the SHA-256 recorded when it was rendered.")


def invoices_for_export(*, period: SettlementPeriod, drafts: bool = False):
    """The period's issued invoices (or its drafts), in house order."""
    invoices = period.invoices.select_related("house").order_by("house__house_id", "created_at")
    if drafts:
        return invoices.filter(status=Invoice.Status.DRAFT)
    return invoices.issued()


def invoices_past_due(*, communities, now: dt.datetime | None = None):
    """Unpaid issued invoices of ``communities`` whose due date has passed, as a queryset.

    The due date is the one printed on the invoice, stored when it was issued (its local invoice
    date plus the community's payment terms then); it is past due from the community's next local
    day. One condition per community (each has its own today), one query.
    """
    now = now or timezone.now()
    conditions = [
        Q(community_id=community.pk, due_date__lt=now.astimezone(community.zone).date()) for community in communities
    ]
    if not conditions:
        return Invoice.objects.none()
    return Invoice.objects.filter(reduce(operator.or_, conditions), status=Invoice.Status.PENDING)


def invoice_events(*, invoice: Invoice):
    return invoice.events.select_related("actor").order_by("at", "pk")


def invoice_issuer(*, invoice: Invoice) -> str:
    """Who issued ``invoice``: the staff user, or what issued it for them, e.g. ``close task (close
    started by schedule)``; empty while it is a draft."""
    if invoice.issued_by_id is not None:
        return str(invoice.issued_by)
    issue = invoice.events.filter(from_status=Invoice.Status.DRAFT, to_status=Invoice.Status.PENDING).first()
    if issue is None:
        return ""
    close_start = (
        invoice.period.events.filter(invoice__isnull=True, to_status=SettlementPeriod.Status.CLOSING, at__lte=issue.at)
        .order_by("-at")
        .first()
    )
    if close_start is None or close_start.actor_name == issue.actor_name:
        return issue.actor_name
    return f"{issue.actor_name} (close started by {close_start.actor_name})"


def document_pdf_bytes(*, document) -> bytes:
    """The stored PDF of an invoice or cancellation note, checked against its SHA-256."""
    if document.pdf_state != PdfState.RENDERED or not document.pdf_file:
        raise ValidationError(
            gettext("%(document)s has no PDF yet (its state: %(state)s).")
            % {"document": document, "state": document.get_pdf_state_display()}
        )
    with default_storage.open(document.pdf_file.name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise ValidationError(DAMAGED_PDF % {"documents": document})
    return data
