import hashlib

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from ..models import Invoice, PdfState, SettlementPeriod


def invoices_for_export(*, period: SettlementPeriod, drafts: bool = False):
    """The period's issued invoices (or its drafts), in house order."""
    invoices = period.invoices.select_related("house").order_by("house__house_id", "created_at")
    if drafts:
        return invoices.filter(status=Invoice.Status.DRAFT)
    return invoices.issued()


def invoice_events(*, invoice: Invoice):
    return invoice.events.select_related("actor").order_by("at", "pk")


def document_pdf_bytes(*, document) -> bytes:
    """The stored PDF of an invoice or cancellation note, checked against its SHA-256."""
    if document.pdf_state != PdfState.RENDERED or not document.pdf_file:
        raise ValidationError(f"{document} has no PDF yet ({document.get_pdf_state_display().lower()}).")
    with default_storage.open(document.pdf_file.name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise ValidationError(f"The stored PDF of {document} does not match the SHA-256 recorded when it was rendered.")
    return data
