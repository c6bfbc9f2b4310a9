"""The invoicing models, one module per record a staff member knows; imported here for Django."""

from .documents import CancellationNote, StatementDocument
from .events import LifecycleEvent
from .invoices import INVOICE_FIELDS_MUTABLE_AFTER_ISSUE, Invoice, InvoiceLine, InvoiceNumberCounter
from .periods import SettlementPeriod
from .stored_pdfs import IssuedDocumentError, PdfState, StoredPdf
from .tariffs import Tariff

__all__ = [
    "INVOICE_FIELDS_MUTABLE_AFTER_ISSUE",
    "CancellationNote",
    "Invoice",
    "InvoiceLine",
    "InvoiceNumberCounter",
    "IssuedDocumentError",
    "LifecycleEvent",
    "PdfState",
    "SettlementPeriod",
    "StatementDocument",
    "StoredPdf",
    "Tariff",
]
