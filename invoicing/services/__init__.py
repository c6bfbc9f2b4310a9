"""Writes for invoicing, one module per workflow. Keyword-only, atomic; the admin, commands and
tasks only call these, through this package's names.
"""

from .closing import (
    CLOSE_BATCH_SIZE,
    CloseStart,
    CloseStep,
    period_close_fail,
    period_close_resume,
    period_close_run,
    period_close_start,
    period_close_step,
    statement_freeze,
)
from .corrections import Cancellation, invoice_cancel
from .deliveries import (
    RESEND_PERMISSION,
    SEND_PERMISSION,
    DeliveryReport,
    deliveries_after_render,
    deliveries_interrupted_fail,
    deliveries_queue,
    deliveries_resend_failed,
    deliveries_send,
    delivery_resend,
    delivery_send,
    document_resend,
)
from .drafts import GenerationReport, invoices_generate
from .issuing import IssueReport, format_invoice_number, invoice_numbers_allocate, invoices_issue
from .payments import eur_to_ct, invoice_is_covered, invoice_outstanding_ct, payment_record, payment_undo
from .pdfs import RenderReport, document_pdf_retry, documents_render, statement_pdf_render
from .periods import FORCE_PERMISSION, period_gate, period_get_or_create, period_not_ended
from .schedule import DueReport, close_due_at, close_schedule_ensure, months_due_at, periods_close_due
from .verification import VerificationReport, billing_verify, billing_verify_and_record, verification_schedule_ensure

__all__ = [
    "CLOSE_BATCH_SIZE",
    "FORCE_PERMISSION",
    "RESEND_PERMISSION",
    "SEND_PERMISSION",
    "Cancellation",
    "CloseStart",
    "CloseStep",
    "DeliveryReport",
    "DueReport",
    "GenerationReport",
    "IssueReport",
    "RenderReport",
    "VerificationReport",
    "billing_verify",
    "billing_verify_and_record",
    "close_due_at",
    "close_schedule_ensure",
    "deliveries_after_render",
    "deliveries_interrupted_fail",
    "deliveries_queue",
    "deliveries_resend_failed",
    "deliveries_send",
    "delivery_resend",
    "delivery_send",
    "document_pdf_retry",
    "document_resend",
    "documents_render",
    "eur_to_ct",
    "format_invoice_number",
    "invoice_cancel",
    "invoice_is_covered",
    "invoice_numbers_allocate",
    "invoice_outstanding_ct",
    "invoices_generate",
    "invoices_issue",
    "months_due_at",
    "payment_record",
    "payment_undo",
    "period_close_fail",
    "period_close_resume",
    "period_close_run",
    "period_close_start",
    "period_close_step",
    "period_gate",
    "period_get_or_create",
    "period_not_ended",
    "periods_close_due",
    "statement_freeze",
    "statement_pdf_render",
    "verification_schedule_ensure",
]
