"""Invoices and their lines: shown, never typed; paid, cancelled and re-issued through services.

There is no bulk "Mark as paid": each payment has its own date, amount and bank reference, so it
is recorded one invoice at a time (``payments.PaymentViews``, or ``manage.py record_payment``).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from communities.admin_exports import ExportFormMixin
from core.admin import (
    AuditHistoryMixin,
    CommunityScopedAdminMixin,
    EstimatedCountPaginator,
    PlainActionCheckboxMixin,
    ReadOnlyAdminMixin,
    change_link,
    local_days,
)
from core.formatting import EMPTY, ct_per_kwh, eur, kwh_number, local_day, site_time
from invoicing import selectors, services
from invoicing.models import Invoice, InvoiceLine, payable_ct
from invoicing.resources import InvoiceResource

from .base import (
    CANCEL_INVOICE_TEMPLATE,
    CANCEL_PERMISSION,
    EVENTS_TEMPLATE,
    EnergyAndMoneyColumns,
    InvoiceChangeActionsMixin,
    IssuedMonthFilter,
    NoBulkDeleteMixin,
    PastDueListFilter,
    PeriodListFilter,
    ShownWithInvoicesMixin,
    object_view_url,
)
from .confirmation import confirmation_response, reporting_refusals
from .deliveries import InvoiceDeliveryMixin
from .payments import PaymentInline, PaymentViews
from .stored_pdfs import StoredPdfViews, pdf_cell


class CancelInvoiceForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        label=_("Reason"),
        help_text=_("Printed on the cancellation document, e.g. 'Wrong postal address'."),
    )


class InvoiceLineInline(ShownWithInvoicesMixin, ReadOnlyAdminMixin, EnergyAndMoneyColumns, admin.TabularInline):
    """Lines belong to their invoice: whoever may see the invoice sees its lines, nobody edits them."""

    model = InvoiceLine
    fields = [
        "segment_start",
        "segment_end",
        "tariff_link",
        "exported",
        "imported",
        "p_pv",
        "p_con",
        "export_revenue",
        "import_cost",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tariff")

    @admin.display(description=_("tariff"))
    def tariff_link(self, line):
        return change_link(line.tariff, gettext("from %(day)s") % {"day": f"{line.tariff.valid_from:%Y-%m-%d}"})

    @admin.display(description="p_pv")
    def p_pv(self, line):
        return ct_per_kwh(line.p_pv_ct_per_kwh)

    @admin.display(description="p_con")
    def p_con(self, line):
        return ct_per_kwh(line.p_con_ct_per_kwh)


@admin.register(Invoice)
class InvoiceAdmin(
    PlainActionCheckboxMixin,
    CommunityScopedAdminMixin,
    AuditHistoryMixin,
    InvoiceChangeActionsMixin,
    InvoiceDeliveryMixin,
    NoBulkDeleteMixin,
    PaymentViews,
    StoredPdfViews,
    EnergyAndMoneyColumns,
    ExportFormMixin,
    ExportMixin,
    admin.ModelAdmin,
):
    """Invoices are shown, never typed: services compute drafts and freeze issued ones.

    Every change page is view-only. A draft's fields would be overwritten by the next
    generation anyway; an issued invoice is a frozen document, corrected by a credit note.
    """

    community_field = "community"

    # Short columns and the filters fit a 1366-pixel screen: the house by its key, the period
    # by its community's slug and month, energy in one column, the issue day in local time.
    list_display = [
        "number",
        "house_key_column",
        "period_column",
        "status",
        "energy",
        "net_amount",
        "pdf_state",
        "issued",
        "email_status",
    ]
    actions = ["resend_emails"]
    # import-export's Export button: the list's filtered invoices with the spec's field names.
    resource_classes = [InvoiceResource]
    # An "issued" month instead of date_hierarchy (core.admin.MonthListFilter says why). Sorted and
    # searched by the house id as invoiced (house_key), the order is the index invoice_list_order:
    # joined to the houses, 24,000 invoices were sorted in full for every page.
    list_filter = [
        "status",
        "community",
        ("period", PeriodListFilter),
        IssuedMonthFilter,
        "pdf_state",
        PastDueListFilter,
    ]
    search_fields = ["number", "house_key", "house_name", "recipient_name"]
    search_help_text = _("Invoice number, house id, house name or recipient.")
    list_select_related = ["house", "period__community"]
    ordering = ["-period_start", "house_key", "-id"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = [InvoiceLineInline, PaymentInline]
    fieldsets = [
        (None, {"fields": ["number", "status", "community", "house_link", "period_link", "local_bounds"]}),
        (
            _("Amounts"),
            {"fields": ["exported", "imported", "export_revenue", "import_cost", "net_amount", "direction", "payment"]},
        ),
        (_("Recipient, as issued"), {"fields": ["recipient_name", "recipient_address", "house_name"]}),
        (_("History"), {"fields": ["issued_at", "issuer", "created_at", "updated_at"]}),
        (_("Document"), {"fields": ["pdf", "email_deliveries", "cancellation", "correction_actions", "events_table"]}),
    ]
    readonly_fields = [
        "pdf",
        "email_deliveries",
        "cancellation",
        "correction_actions",
        "events_table",
        "number",
        "status",
        "community",
        "house_link",
        "period_link",
        "local_bounds",
        "exported",
        "imported",
        "export_revenue",
        "import_cost",
        "net_amount",
        "direction",
        "payment",
        "recipient_name",
        "recipient_address",
        "house_name",
        "issued_at",
        "issuer",
        "created_at",
        "updated_at",
    ]

    class Media:
        css = {"all": ["invoicing/admin/invoice_list.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "community",
                "house",
                "period__community",
                "issued_by",
                "cancellation_note__corrected_by",
                "corrects_via__cancelled_invoice",
            )
            .annotate(email_status=selectors.latest_delivery_status())
        )

    def get_urls(self):
        return [object_view_url(self, "cancel/", self.cancel_view, "cancel"), *super().get_urls()]

    def cancel_view(self, request, object_id):
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm(CANCEL_PERMISSION) or not self.in_scope(request, invoice, writable=True):
            raise PermissionDenied
        form = CancelInvoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            shown = invoice  # the corrected invoice once there is one, else the invoice itself
            with reporting_refusals(self, request):
                result = services.invoice_cancel(
                    invoice=invoice, reason=form.cleaned_data["reason"], acting_user=request.user
                )
                self.message_user(request, str(result), messages.SUCCESS)
                shown = result.corrected or invoice
            return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[shown.pk]))
        return confirmation_response(
            self,
            request,
            CANCEL_INVOICE_TEMPLATE,
            title=gettext("Cancel %(invoice)s") % {"invoice": invoice},
            obj=invoice,
            invoice=invoice,
            form=form,
        )

    @admin.display(description="PDF")
    def pdf(self, invoice):
        if invoice.pk is None or not invoice.is_issued:
            return gettext("Drafts have no PDF; it is rendered when the invoice is issued.")
        return pdf_cell(
            invoice,
            reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]),
            reverse("admin:invoicing_invoice_retry_pdf", args=[invoice.pk]),
        )

    @admin.display(description=_("cancellation"))
    def cancellation(self, invoice):
        parts = []
        note = getattr(invoice, "cancellation_note", None) if invoice.pk else None
        if note is not None:
            parts.append(
                format_html(
                    gettext("Cancelled by {} on {}: &ldquo;{}&rdquo;. Corrected invoice: {}"),
                    change_link(note),
                    site_time(note.issued_at),
                    note.reason,
                    change_link(note.corrected_by) if note.corrected_by else gettext("none (house no longer active)"),
                )
            )
        corrects = getattr(invoice, "corrects_via", None) if invoice.pk else None
        if corrects is not None:
            parts.append(
                format_html(
                    gettext("Corrects {} (cancelled by {})."),
                    change_link(corrects.cancelled_invoice),
                    change_link(corrects),
                )
            )
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) if parts else EMPTY

    @admin.display(description=_("payment"))
    def payment(self, invoice):
        if invoice.pk is None or invoice.status not in (Invoice.Status.PENDING, Invoice.Status.PAID):
            return EMPTY
        received = gettext("%(received)s of %(payable)s received") % {
            "received": eur(invoice.payments.received_ct()),
            "payable": eur(payable_ct(invoice)),
        }
        buttons = [
            (reverse(f"admin:invoicing_invoice_{name}", args=[invoice.pk]), label)
            for name, label, shown in [
                ("record_payment", gettext("Record a payment…"), invoice.status == Invoice.Status.PENDING),
                ("undo_payment", gettext("Undo a payment…"), invoice.payments.active().exists()),
            ]
            if shown
        ]
        return format_html("{} {}", received, format_html_join(" ", '<a class="button" href="{}">{}</a>', buttons))

    @admin.display(description=_("correct it"))
    def correction_actions(self, invoice):
        if invoice.pk is None or invoice.status not in (Invoice.Status.PENDING, Invoice.Status.PAID):
            return EMPTY
        if invoice.status == Invoice.Status.PAID or invoice.payments.active().exists():
            return gettext("It can be cancelled once its payment is undone (see Payment above).")
        return format_html(
            '<a class="button" href="{}">{}</a>',
            reverse("admin:invoicing_invoice_cancel", args=[invoice.pk]),
            gettext("Cancel with a reason and re-issue…"),
        )

    @admin.display(description=_("events"))
    def events_table(self, invoice):
        if invoice.pk is None:
            return EMPTY
        return render_to_string(EVENTS_TEMPLATE, {"events": selectors.invoice_events(invoice=invoice)})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None:
            return False
        return super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("number"), ordering="number")
    def number(self, invoice):
        return invoice.number or gettext("Draft %(house)s %(month)s") % {
            "house": invoice.house_key,
            "month": invoice.period.month,
        }

    @admin.display(description=_("house"), ordering="house_key")
    def house_key_column(self, invoice):
        return invoice.house_key

    @admin.display(description=_("period"), ordering="period__month")
    def period_column(self, invoice):
        return f"{invoice.period.community.slug} {invoice.period.month}"

    @admin.display(description=_("kWh out / in"))
    def energy(self, invoice):
        return f"{kwh_number(invoice.energy_exported_kwh)} / {kwh_number(invoice.energy_imported_kwh)}"

    @admin.display(description=_("issued"), ordering="issued_at")
    def issued(self, invoice):
        return local_day(invoice.issued_at)

    @admin.display(description=_("house"))
    def house_link(self, invoice):
        return change_link(invoice.house)

    @admin.display(description=_("period"))
    def period_link(self, invoice):
        return change_link(invoice.period)

    @admin.display(description=_("billed days"))
    def local_bounds(self, invoice):
        return local_days(invoice.period_start, invoice.period_end, invoice.community.zone)

    @admin.display(description=_("net amount"), ordering="net_amount_ct")
    def net_amount(self, invoice):
        return eur(invoice.net_amount_ct)

    @admin.display(description=_("issued by"))
    def issuer(self, invoice):
        return selectors.invoice_issuer(invoice=invoice) or EMPTY

    @admin.display(description=_("who pays"))
    def direction(self, invoice):
        if invoice.net_amount_ct > 0:
            return gettext("The community pays the house.")
        if invoice.net_amount_ct < 0:
            return gettext("The house pays the community.")
        return gettext("Nothing to pay.")
