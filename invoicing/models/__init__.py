"""The invoicing models, one module per record a staff member knows; imported here for Django."""

from .deliveries import InvoiceDelivery
from .documents import CancellationNote, StatementDocument
from .events import LifecycleEvent
from .figures import KeptPeriodFigures
from .invoices import INVOICE_FIELDS_MUTABLE_AFTER_ISSUE, Invoice, InvoiceLine, InvoiceNumberCounter
from .payments import PAYMENT_UNDO_FIELDS, Payment, payable_ct
from .periods import PeriodIntervalEnergy, SettlementPeriod
from .stored_pdfs import IssuedDocumentError, PdfState, StoredPdf
from .tariffs import Tariff
from .verification import BillingCheck

__all__ = [
    "INVOICE_FIELDS_MUTABLE_AFTER_ISSUE",
    "PAYMENT_UNDO_FIELDS",
    "BillingCheck",
    "CancellationNote",
    "Invoice",
    "InvoiceDelivery",
    "InvoiceLine",
    "InvoiceNumberCounter",
    "IssuedDocumentError",
    "KeptPeriodFigures",
    "LifecycleEvent",
    "Payment",
    "PdfState",
    "PeriodIntervalEnergy",
    "SettlementPeriod",
    "StatementDocument",
    "StoredPdf",
    "Tariff",
    "payable_ct",
]
