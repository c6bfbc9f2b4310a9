"""Records only the system writes: invoice number counters, cancellation notes, lifecycle events."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.admin import CommunityScopedAdminMixin, ReadOnlyAdminMixin, change_link
from core.formatting import eur
from invoicing.models import CancellationNote, InvoiceNumberCounter, LifecycleEvent

from .base import NoBulkDeleteMixin, ShownWithInvoicesMixin
from .stored_pdfs import StoredPdfViews, pdf_cell


@admin.register(InvoiceNumberCounter)
class InvoiceNumberCounterAdmin(CommunityScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the last number given per series, for answering 'which number comes next?'.

    Only ``services.invoice_numbers_allocate`` moves a counter; editing one by hand would
    duplicate or skip invoice numbers.
    """

    community_field = "community"

    list_display = ["community", "series", "year", "last_number"]
    list_filter = ["community", "year"]
    list_select_related = ["community"]
    ordering = ["community__name", "series", "-year"]


@admin.register(CancellationNote)
class CancellationNoteAdmin(
    CommunityScopedAdminMixin,
    ShownWithInvoicesMixin,
    NoBulkDeleteMixin,
    ReadOnlyAdminMixin,
    StoredPdfViews,
    admin.ModelAdmin,
):
    """Read-only: a cancellation is created by cancelling an invoice, and never changes afterwards."""

    community_field = "community"

    list_display = ["number", "cancelled_invoice", "corrected_by", "net_amount", "issued_at", "pdf_state"]
    list_filter = ["community", "pdf_state"]
    search_fields = ["number", "cancelled_invoice__number", "reason"]
    date_hierarchy = "issued_at"
    list_select_related = [
        "community",
        "cancelled_invoice__house",
        "cancelled_invoice__period",
        "corrected_by__house",
        "corrected_by__period",
    ]
    fields = ["number", "community", "original", "corrected", "reason", "net_amount", "issued_at", "issued_by", "pdf"]
    readonly_fields = fields

    @admin.display(description=_("cancels"))
    def original(self, note):
        return change_link(note.cancelled_invoice)

    @admin.display(description=_("corrected invoice"))
    def corrected(self, note):
        return change_link(note.corrected_by)

    @admin.display(description=_("net amount (reversed)"))
    def net_amount(self, note):
        return eur(note.net_amount_ct)

    @admin.display(description=_("PDF"))
    def pdf(self, note):
        return pdf_cell(
            note,
            reverse("admin:invoicing_cancellationnote_pdf", args=[note.pk]),
            reverse("admin:invoicing_cancellationnote_retry_pdf", args=[note.pk]),
        )


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(CommunityScopedAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, searchable across periods; each period and invoice page shows its own."""

    community_field = "period__community"

    list_display = ["at", "period", "invoice", "what_shown", "actor_name"]
    list_filter = ["kind", "to_status", "period__community"]
    search_fields = ["what", "actor_name", "invoice__number", "period__month"]
    date_hierarchy = "at"
    list_select_related = ["period__community", "invoice__house", "invoice__period"]
    show_full_result_count = False

    @admin.display(description=_("what"), ordering="what")
    def what_shown(self, event):
        return event.what_shown
