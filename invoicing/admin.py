"""The billing back-office. Thin: pages show what is stored, actions call services.

Invoices are computed by ``services.invoices_generate`` and frozen by ``services.invoices_issue``;
nothing here lets staff type an amount, a number or an energy.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin import ReadOnlyAdminMixin, change_link, changelist_link, local_span
from core.formatting import EMPTY, ct_per_kwh, eur, kwh
from core.local_time import month_bounds, parse_period_id

from . import selectors, services, settlement
from .documents.statement import display_context
from .models import (
    CancellationNote,
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    LifecycleEvent,
    PdfState,
    SettlementPeriod,
    StatementDocument,
    Tariff,
)
from .pricing import NoTariffError
from .statement import statement_for, statement_to_csv, statement_to_json

CONFIRM_ACTION_TEMPLATE = "admin/invoicing/settlementperiod/confirm_action.html"
CONFIRM_CLOSE_TEMPLATE = "admin/invoicing/settlementperiod/confirm_close.html"
CANCEL_INVOICE_TEMPLATE = "admin/invoicing/invoice/cancel.html"
CONFIRM_PDF_RETRY_TEMPLATE = "admin/invoicing/confirm_pdf_retry.html"
EVENTS_TEMPLATE = "admin/invoicing/events.html"
COMPLETENESS_TEMPLATE = "admin/invoicing/settlementperiod/completeness.html"
STATEMENT_TEMPLATE = "admin/invoicing/settlementperiod/statement.html"
STATEMENT_WRITERS = {
    "csv": ("text/csv; charset=utf-8", statement_to_csv),
    "json": ("application/json", statement_to_json),
}
# The period actions run from the change list and, as buttons, from a period's own page.
BOTH_LOCATIONS = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
CHANGE_FORM_ACTION = f"{ActionLocation.CHANGE_FORM.value}-action"
PRICE_FIELDS = ["p_pv_ct_per_kwh", "p_con_ct_per_kwh", "p_grid_del_ct_per_kwh", "p_grid_con_ct_per_kwh"]


class TariffForm(forms.ModelForm):
    suggest_p_con = forms.BooleanField(
        required=False,
        label="Suggest p_con",
        help_text="Set p_con halfway between p_pv and p_grid_con, (p_pv + p_grid_con) / 2, as the upstream "
        "tariff tool derives its default of 25 ct from 20 and 30.",
    )

    class Meta:
        model = Tariff
        fields = [
            "community",
            "valid_from",
            "mode",
            "p_pv_ct_per_kwh",
            "p_con_ct_per_kwh",
            "p_grid_del_ct_per_kwh",
            "p_grid_con_ct_per_kwh",
        ]

    def clean(self):
        cleaned_data = super().clean()
        p_pv, p_grid_con = cleaned_data.get("p_pv_ct_per_kwh"), cleaned_data.get("p_grid_con_ct_per_kwh")
        if cleaned_data.get("suggest_p_con") and p_pv is not None and p_grid_con is not None:
            cleaned_data["p_con_ct_per_kwh"] = settlement.suggested_p_con(p_pv=p_pv, p_grid_con=p_grid_con)
            self.instance.p_con_ct_per_kwh = cleaned_data["p_con_ct_per_kwh"]
        return cleaned_data


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    form = TariffForm
    list_display = ["community", "valid_from", "mode", *PRICE_FIELDS]
    list_filter = ["community", "mode"]
    search_fields = ["community__name"]
    date_hierarchy = "valid_from"
    list_select_related = ["community"]
    ordering = ["community__name", "-valid_from"]
    readonly_fields = ["created_at"]

    def get_fieldsets(self, request, obj=None):
        frozen = self._quoted_by_issued_invoices(obj)
        return [
            (None, {"fields": ["community", "valid_from", "mode"]}),
            (
                "House prices",
                {"fields": ["p_pv_ct_per_kwh", "p_con_ct_per_kwh", *([] if frozen else ["suggest_p_con"])]},
            ),
            ("Grid prices", {"fields": ["p_grid_del_ct_per_kwh", "p_grid_con_ct_per_kwh"]}),
            ("History", {"fields": ["created_at"]}),
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._quoted_by_issued_invoices(obj):
            kwargs["form"] = forms.ModelForm  # nothing to edit, so nothing to suggest
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if self._quoted_by_issued_invoices(obj):
            # Issued invoices quote this version; a price change goes into a new version from a new date.
            return ["community", "valid_from", "mode", *PRICE_FIELDS, "created_at"]
        return self.readonly_fields

    @staticmethod
    def _quoted_by_issued_invoices(tariff) -> bool:
        return tariff is not None and selectors.tariff_is_quoted(tariff=tariff)


class SettlementPeriodForm(forms.ModelForm):
    """Staff give a community and a month; the UTC bounds follow from the community's zone."""

    class Meta:
        model = SettlementPeriod
        fields = ["community", "period_id"]
        labels = {"period_id": "Month"}
        help_texts = {"period_id": "YYYY-MM, e.g. 2026-01. Start and end are computed in the community's time zone."}

    def clean(self):
        cleaned_data = super().clean()
        community, period_id = cleaned_data.get("community"), cleaned_data.get("period_id")
        if community is None or not period_id:
            return cleaned_data
        try:
            parse_period_id(period_id)
        except ValueError as error:
            self.add_error("period_id", str(error))
            return cleaned_data
        # The same computation as services.period_get_or_create, so both make identical periods.
        self.instance.start, self.instance.end = month_bounds(period_id, community.zone)
        return cleaned_data


@admin.register(SettlementPeriod)
class SettlementPeriodAdmin(admin.ModelAdmin):
    form = SettlementPeriodForm
    list_display = ["period_id", "community", "local_bounds", "status", "invoices_link"]
    list_filter = ["community", "status"]
    search_fields = ["period_id", "community__name"]
    list_select_related = ["community"]
    ordering = ["-period_id", "community__name"]
    actions = ["generate_draft_invoices", "issue_invoices", "close_periods", "resume_closing", "retry_statement_pdf"]

    def get_queryset(self, request):
        by_status = {
            f"{status}_count": Count("invoices", filter=Q(invoices__status=status)) for status in Invoice.Status.values
        }
        return super().get_queryset(request).annotate(invoice_count=Count("invoices"), **by_status)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["community", "period_id", "start", "end", "status"]
        return [*self.PERIOD_FIELDS, *self.CLOSE_FIELDS]

    PERIOD_FIELDS = ["community", "period_id", "local_bounds", "start", "end", "status", "invoices_link", "created_at"]
    CLOSE_FIELDS = [
        "close_progress",
        "close_forced",
        "community_statement",
        "statement_pdf",
        "completeness_table",
        "events_table",
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["start", "end", "status"]
        # A period's month and community are what its invoices were computed for; status moves
        # only through services.
        return [*self.PERIOD_FIELDS, *self.CLOSE_FIELDS]

    @admin.display(description="progress")
    def close_progress(self, period):
        """Invoices done / total and PDFs done / total; the page reloads itself while closing."""
        progress = selectors.period_close_progress(period=period)
        failed = (
            format_html(
                ' &middot; <strong>{} failed</strong> (retry on each invoice page, or "Resume closing")',
                progress.pdfs_failed,
            )
            if progress.pdfs_failed
            else ""
        )
        outcome = {
            SettlementPeriod.Status.OPEN: "Open: invoices are drafts (preview).",
            SettlementPeriod.Status.CLOSING: "Closing in the background; this page reloads every 3 seconds.",
            SettlementPeriod.Status.CLOSED: f"Closed {period.closed_at:%Y-%m-%d %H:%M} UTC."
            if period.closed_at
            else "Closed.",
        }[progress.status]
        return format_html(
            "{} Invoices issued {} / {} &middot; PDFs {} / {}{}",
            outcome,
            progress.invoices_done,
            progress.invoices_total,
            progress.pdfs_done,
            progress.pdfs_total,
            failed,
        )

    @admin.display(description="forced close")
    def close_forced(self, period):
        if not period.close_forced_reason:
            return EMPTY
        return format_html("By {}: &ldquo;{}&rdquo;", period.close_forced_by, period.close_forced_reason)

    @admin.display(description="community statement")
    def community_statement(self, period):
        """Energy, grid exchange and money of the period, per day and in total, with charts.

        A closed period shows its frozen statement (read back, not recomputed over its readings).
        """
        try:
            statement = statement_for(period=period)
        except NoTariffError as error:
            return str(error)
        return render_to_string(
            STATEMENT_TEMPLATE,
            {
                **display_context(statement),
                "frozen": statement.is_frozen,
                "csv_url": reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "csv"]),
                "json_url": reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "json"]),
            },
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/statement.<str:output_format>",
                self.admin_site.admin_view(self.statement_view),
                name="invoicing_settlementperiod_statement",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="frozen statement")
    def statement_pdf(self, period):
        document = StatementDocument.objects.filter(period=period).first()
        if document is None:
            return "Frozen, with a PDF, when the period closes."
        if document.pdf_state == PdfState.RENDERED:
            return format_html(
                'Frozen {} UTC &middot; <a href="{}">Download PDF</a> &middot; SHA-256 <code>{}</code>',
                f"{document.frozen_at:%Y-%m-%d %H:%M}",
                reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "pdf"]),
                document.pdf_sha256,
            )
        if document.pdf_state == PdfState.FAILED:
            return format_html(
                '<strong>Rendering failed:</strong> {} Use the action "Render the statement PDF again".',
                document.pdf_error,
            )
        return f"Frozen {document.frozen_at:%Y-%m-%d %H:%M} UTC; PDF {document.get_pdf_state_display().lower()}."

    @admin.action(description="Render the statement PDF again", permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def retry_statement_pdf(self, request, queryset):
        for document in StatementDocument.objects.filter(period__in=queryset).select_related("period"):
            try:
                self.message_user(request, services.document_pdf_retry(document=document, acting_user=request.user))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    def statement_view(self, request, object_id, output_format):
        """The statement (``statement_for``: frozen once closed) as CSV or JSON, or the frozen statement's PDF."""
        period = self.get_object(request, object_id)
        if period is None or output_format not in (*STATEMENT_WRITERS, "pdf"):
            raise Http404("No such period or format.")
        if not self.has_view_permission(request, period):
            raise PermissionDenied
        if output_format == "pdf":
            return pdf_response(get_object_or_404(StatementDocument, period=period))
        try:
            statement = statement_for(period=period)
        except NoTariffError as error:
            raise Http404(str(error)) from None
        content_type, write = STATEMENT_WRITERS[output_format]
        response = HttpResponse(write(statement), content_type=content_type)
        filename = f"statement-{period.community.slug}-{period.period_id}.{output_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.display(description="completeness of the readings")
    def completeness_table(self, period):
        completeness = selectors.period_completeness(period=period)
        return render_to_string(COMPLETENESS_TEMPLATE, {"completeness": completeness})

    @admin.display(description="events")
    def events_table(self, period):
        return render_to_string(EVENTS_TEMPLATE, {"events": selectors.period_events(period=period)})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        period = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "auto_refresh": period is not None and period.status == SettlementPeriod.Status.CLOSING,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description="Close period", permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def close_periods(self, request, queryset):
        """A confirmation page with the completeness summary and a force + reason form, then the close."""
        periods = list(queryset.select_related("community"))
        form = ClosePeriodForm(request.POST if request.POST.get("post") else None)
        if request.POST.get("post") and form.is_valid():
            for period in periods:
                try:
                    start = services.period_close_start(
                        period=period,
                        acting_user=request.user,
                        force=form.cleaned_data["force"],
                        reason=form.cleaned_data["reason"],
                    )
                except ValidationError as error:
                    self.message_user(request, f"{period}: {' '.join(error.messages)}", messages.ERROR)
                else:
                    self.message_user(request, str(start), messages.SUCCESS)
            return None
        rows = [
            {
                "period": period,
                "local_bounds": self.local_bounds(period),
                "completeness": selectors.period_completeness(period=period),
                "refused": period.status != SettlementPeriod.Status.OPEN,
            }
            for period in periods
        ]
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": "Close period",
            "subtitle": None,
            "opts": self.opts,
            "action": "close_periods",
            "action_field_name": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "rows": rows,
            "any_gaps": any(not row["completeness"].complete for row in rows if not row["refused"]),
            "form": form,
            "completeness_template": COMPLETENESS_TEMPLATE,
            "media": self.media,
        }
        return TemplateResponse(request, CONFIRM_CLOSE_TEMPLATE, context)

    @admin.action(description="Resume closing (re-queue what a failed close left)", permissions=["invoice_change"])
    def resume_closing(self, request, queryset):
        for period in queryset:
            try:
                self.message_user(request, services.period_close_resume(period=period, acting_user=request.user))
            except ValidationError as error:
                self.message_user(request, f"{period}: {' '.join(error.messages)}", messages.ERROR)

    @admin.display(description="local time")
    def local_bounds(self, period):
        return local_span(period.start, period.end, period.community.zone)

    @admin.display(description="invoices", ordering="invoice_count")
    def invoices_link(self, period):
        """``3 invoices: 1 draft, 2 pending (issued)``, each part a link to those invoices."""
        if period.pk is None:
            return EMPTY
        url_name = "admin:invoicing_invoice_changelist"
        total = getattr(period, "invoice_count", 0)
        all_link = changelist_link(url_name, f"{total} invoice{'' if total == 1 else 's'}", period__id__exact=period.pk)
        by_status = [
            changelist_link(url_name, f"{count} {label.lower()}", period__id__exact=period.pk, status__exact=status)
            for status, label in Invoice.Status.choices
            if (count := getattr(period, f"{status}_count", 0))
        ]
        if not by_status:
            return all_link
        return format_html("{}: {}", all_link, format_html_join(", ", "{}", ((link,) for link in by_status)))

    def has_invoice_change_permission(self, request):
        # Generating and issuing write invoices, so they take the right to change invoices, not
        # merely periods.
        return request.user.has_perm("invoicing.change_invoice")

    @admin.action(description="Generate draft invoices", permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def generate_draft_invoices(self, request, queryset):
        return self._confirm_then_run(
            request,
            queryset,
            action="generate_draft_invoices",
            title="Generate draft invoices",
            consequences=[
                "Creates or refreshes one draft invoice per house active in the month, from the current "
                "readings and tariffs. A house without readings gets a zero invoice.",
                "Issued invoices are not touched. Drafts of houses no longer active are removed.",
                "Running it again with unchanged data changes nothing.",
            ],
            run=lambda period: services.invoices_generate(period=period),
        )

    @admin.action(description="Issue invoices", permissions=["invoice_change"], location=BOTH_LOCATIONS)
    def issue_invoices(self, request, queryset):
        return self._confirm_then_run(
            request,
            queryset,
            action="issue_invoices",
            title="Issue invoices",
            consequences=[
                "First refreshes the drafts from the current readings, as 'Generate draft invoices' does.",
                "Then gives every draft the next number of the community's series (e.g. INV-2026-001), in "
                "house order, and freezes it.",
                "The month's meter readings become final, as in a close: imports and edits into it are refused.",
                "Issued invoices cannot be edited or deleted; a mistake is corrected by cancelling the invoice.",
            ],
            run=lambda period: services.invoices_issue(period=period, acting_user=request.user),
        )

    def _confirm_then_run(self, request, queryset, *, action, title, consequences, run):
        """Like ``delete_selected``: a confirmation page first, the service call on its POST."""
        if request.POST.get("post"):
            for period in queryset:
                try:
                    report = run(period)
                except ValidationError as error:
                    self.message_user(request, f"{period}: {' '.join(error.messages)}", messages.ERROR)
                else:
                    self.message_user(request, f"{period}: {report}", messages.SUCCESS)
            return None  # back to the change list, which shows the messages

        periods = [
            {
                "period": period,
                "closed": period.status == SettlementPeriod.Status.CLOSED,
                "local_bounds": self.local_bounds(period),
                "billable_houses": selectors.houses_billable_in(period=period).count(),
                "counts": self.invoices_link(period),
            }
            for period in queryset
        ]
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "opts": self.opts,
            "action": action,
            # The change form prefixes its action field; the confirmation posts back the same way.
            "action_field_name": CHANGE_FORM_ACTION if CHANGE_FORM_ACTION in request.POST else "action",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "consequences": consequences,
            "periods": periods,
            "media": self.media,
        }
        return TemplateResponse(request, CONFIRM_ACTION_TEMPLATE, context)


class ClosePeriodForm(forms.Form):
    force = forms.BooleanField(
        required=False, label="Close although readings are missing", help_text="Needs a written reason."
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Why closing with gaps is right. Recorded with your name on the period.",
    )

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("force") and not cleaned_data.get("reason", "").strip():
            self.add_error("reason", "A forced close needs a written reason.")
        return cleaned_data


class CancelInvoiceForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Printed on the cancellation document, e.g. 'Wrong postal address'.",
    )


def pdf_cell(document, download_url: str, retry_url: str) -> str:
    """State of a document's PDF: a download link, the failure with a retry button, or waiting."""
    if document.pdf_state == PdfState.RENDERED:
        return format_html(
            '<a href="{}">Download PDF</a> &middot; rendered {} UTC &middot; SHA-256 <code>{}</code>',
            download_url,
            f"{document.pdf_rendered_at:%Y-%m-%d %H:%M:%S}",
            document.pdf_sha256,
        )
    if document.pdf_state == PdfState.FAILED:
        return format_html(
            '<strong>Rendering failed:</strong> {} <a class="button" href="{}">Retry rendering</a>',
            document.pdf_error,
            retry_url,
        )
    return document.get_pdf_state_display()


def pdf_response(document) -> HttpResponse:
    try:
        data = selectors.document_pdf_bytes(document=document)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document}.pdf"'
    return response


class StoredPdfViews:
    """Download and re-render views for a document with a stored PDF (invoices, cancellation notes).

    ``<id>/pdf/`` returns the stored bytes, checked against their SHA-256; ``<id>/retry-pdf/``
    asks for confirmation, then queues a failed render again.
    """

    def pdf_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/pdf/", wrap(self.pdf_view), name="{}_{}_pdf".format(*info)),
            path("<path:object_id>/retry-pdf/", wrap(self.retry_pdf_view), name="{}_{}_retry_pdf".format(*info)),
        ]

    def pdf_view(self, request, object_id):
        document = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return pdf_response(document)

    def retry_pdf_view(self, request, object_id):
        document = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm("invoicing.change_invoice"):
            raise PermissionDenied
        if request.method == "POST":
            try:
                self.message_user(request, services.document_pdf_retry(document=document, acting_user=request.user))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[document.pk])
            )
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Render the PDF of {document} again",
            "subtitle": None,
            "opts": self.opts,
            "document": document,
            "media": self.media,
        }
        return TemplateResponse(request, CONFIRM_PDF_RETRY_TEMPLATE, context)


class PeriodListFilter(admin.RelatedFieldListFilter):
    """The period filter with its communities in one query (a period's name includes its community)."""

    def field_choices(self, field, request, model_admin):
        periods = SettlementPeriod.objects.select_related("community").order_by("-period_id", "community__name")
        return [(period.pk, str(period)) for period in periods]


class EnergyAndMoneyColumns:
    """Display columns shared by invoices and their lines (both carry these four fields)."""

    @admin.display(description="exported", ordering="energy_exported_kwh")
    def exported(self, obj):
        return kwh(obj.energy_exported_kwh)

    @admin.display(description="imported", ordering="energy_imported_kwh")
    def imported(self, obj):
        return kwh(obj.energy_imported_kwh)

    @admin.display(description="export revenue")
    def export_revenue(self, obj):
        return eur(obj.export_revenue_ct)

    @admin.display(description="import cost")
    def import_cost(self, obj):
        return eur(obj.import_cost_ct)


class InvoiceLineInline(ReadOnlyAdminMixin, EnergyAndMoneyColumns, admin.TabularInline):
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

    # Lines belong to their invoice: whoever may see the invoice sees its lines, nobody edits them.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("invoicing.view_invoice") or request.user.has_perm("invoicing.change_invoice")

    @admin.display(description="tariff")
    def tariff_link(self, line):
        return change_link(line.tariff, f"from {line.tariff.valid_from:%Y-%m-%d %H:%M} UTC")

    @admin.display(description="p_pv")
    def p_pv(self, line):
        return ct_per_kwh(line.p_pv_ct_per_kwh)

    @admin.display(description="p_con")
    def p_con(self, line):
        return ct_per_kwh(line.p_con_ct_per_kwh)


@admin.register(Invoice)
class InvoiceAdmin(StoredPdfViews, EnergyAndMoneyColumns, admin.ModelAdmin):
    """Invoices are shown, never typed: services compute drafts and freeze issued ones.

    Every change page is view-only. A draft's fields would be overwritten by the next
    generation anyway; an issued invoice is a frozen document, corrected by a credit note.
    """

    list_display = ["number", "house", "period", "status", "exported", "imported", "net_amount", "issued_at"]
    list_filter = ["status", "community", ("period", PeriodListFilter)]
    search_fields = ["invoice_id", "house__house_id", "house_name", "recipient_name"]
    search_help_text = "Invoice number, house id, house name or recipient."
    date_hierarchy = "issued_at"
    list_select_related = ["house", "period__community"]
    ordering = ["-period_start", "house__house_id"]
    inlines = [InvoiceLineInline]
    fieldsets = [
        (None, {"fields": ["number", "status", "community", "house_link", "period_link", "local_bounds"]}),
        ("Amounts", {"fields": ["exported", "imported", "export_revenue", "import_cost", "net_amount", "direction"]}),
        ("Recipient, as issued", {"fields": ["recipient_name", "recipient_address", "house_name"]}),
        ("History", {"fields": ["issued_at", "issued_by", "created_at", "updated_at"]}),
        ("Document", {"fields": ["pdf", "cancellation", "correction_actions", "events_table"]}),
    ]
    readonly_fields = [
        "pdf",
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
        "recipient_name",
        "recipient_address",
        "house_name",
        "issued_at",
        "issued_by",
        "created_at",
        "updated_at",
    ]

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
        )

    actions = ["mark_paid"]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)  # issued invoices are never deleted, in bulk or otherwise
        return actions

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            *self.pdf_urls(),
            path("<path:object_id>/cancel/", wrap(self.cancel_view), name="{}_{}_cancel".format(*info)),
            *super().get_urls(),
        ]

    def cancel_view(self, request, object_id):
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not request.user.has_perm("invoicing.change_invoice"):
            raise PermissionDenied
        form = CancelInvoiceForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.invoice_cancel(
                    invoice=invoice, reason=form.cleaned_data["reason"], acting_user=request.user
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[invoice.pk]))
            self.message_user(request, str(result), messages.SUCCESS)
            target = result.corrected or invoice
            return HttpResponseRedirect(reverse("admin:invoicing_invoice_change", args=[target.pk]))
        request.current_app = self.admin_site.name
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cancel {invoice}",
            "subtitle": None,
            "opts": self.opts,
            "invoice": invoice,
            "form": form,
            "media": self.media,
        }
        return TemplateResponse(request, CANCEL_INVOICE_TEMPLATE, context)

    @admin.action(description="Mark as paid", permissions=["invoice_change"])
    def mark_paid(self, request, queryset):
        paid = 0
        for invoice in queryset:
            try:
                services.invoice_mark_paid(invoice=invoice, acting_user=request.user)
                paid += 1
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
        if paid:
            self.message_user(request, f"{paid} invoice{'' if paid == 1 else 's'} marked paid.", messages.SUCCESS)

    def has_invoice_change_permission(self, request):
        return request.user.has_perm("invoicing.change_invoice")

    @admin.display(description="PDF")
    def pdf(self, invoice):
        if invoice.pk is None or not invoice.is_issued:
            return "Drafts have no PDF; it is rendered when the invoice is issued."
        return pdf_cell(
            invoice,
            reverse("admin:invoicing_invoice_pdf", args=[invoice.pk]),
            reverse("admin:invoicing_invoice_retry_pdf", args=[invoice.pk]),
        )

    @admin.display(description="cancellation")
    def cancellation(self, invoice):
        parts = []
        note = getattr(invoice, "cancellation_note", None) if invoice.pk else None
        if note is not None:
            parts.append(
                format_html(
                    "Cancelled by {} on {} UTC: &ldquo;{}&rdquo;. Corrected invoice: {}",
                    change_link(note),
                    f"{note.issued_at:%Y-%m-%d %H:%M}",
                    note.reason,
                    change_link(note.corrected_by) if note.corrected_by else "none (house no longer active)",
                )
            )
        corrects = getattr(invoice, "corrects_via", None) if invoice.pk else None
        if corrects is not None:
            parts.append(
                format_html(
                    "Corrects {} (cancelled by {}).", change_link(corrects.cancelled_invoice), change_link(corrects)
                )
            )
        return format_html_join(mark_safe("<br>"), "{}", ((part,) for part in parts)) if parts else EMPTY

    @admin.display(description="correct it")
    def correction_actions(self, invoice):
        if invoice.pk is None or invoice.status != Invoice.Status.PENDING:
            return EMPTY
        return format_html(
            '<a class="button" href="{}">Cancel with a reason and re-issue&hellip;</a>',
            reverse("admin:invoicing_invoice_cancel", args=[invoice.pk]),
        )

    @admin.display(description="events")
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

    @admin.display(description="number", ordering="invoice_id")
    def number(self, invoice):
        return invoice.invoice_id or f"Draft {invoice.house.house_id} {invoice.period.period_id}"

    @admin.display(description="house")
    def house_link(self, invoice):
        return change_link(invoice.house)

    @admin.display(description="period")
    def period_link(self, invoice):
        return change_link(invoice.period)

    @admin.display(description="period, local time")
    def local_bounds(self, invoice):
        return local_span(invoice.period_start, invoice.period_end, invoice.community.zone)

    @admin.display(description="net amount", ordering="net_amount_ct")
    def net_amount(self, invoice):
        return eur(invoice.net_amount_ct)

    @admin.display(description="who pays")
    def direction(self, invoice):
        if invoice.net_amount_ct > 0:
            return "The community pays the house."
        if invoice.net_amount_ct < 0:
            return "The house pays the community."
        return "Nothing to pay."


@admin.register(InvoiceNumberCounter)
class InvoiceNumberCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the last number given per series, for answering 'which number comes next?'.

    Only ``services.invoice_numbers_allocate`` moves a counter; editing one by hand would
    duplicate or skip invoice numbers.
    """

    list_display = ["community", "series", "year", "last_number"]
    list_filter = ["community", "year"]
    list_select_related = ["community"]
    ordering = ["community__name", "series", "-year"]


@admin.register(CancellationNote)
class CancellationNoteAdmin(ReadOnlyAdminMixin, StoredPdfViews, admin.ModelAdmin):
    """Read-only: a cancellation is created by cancelling an invoice, and never changes afterwards."""

    list_display = ["number", "cancelled_invoice", "corrected_by", "net_amount", "issued_at", "pdf_state"]
    list_filter = ["community", "pdf_state"]
    search_fields = ["number", "cancelled_invoice__invoice_id", "reason"]
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

    def get_urls(self):
        return [*self.pdf_urls(), *super().get_urls()]

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("invoicing.view_invoice") or request.user.has_perm("invoicing.change_invoice")

    @admin.display(description="cancels")
    def original(self, note):
        return change_link(note.cancelled_invoice)

    @admin.display(description="corrected invoice")
    def corrected(self, note):
        return change_link(note.corrected_by)

    @admin.display(description="net amount (reversed)")
    def net_amount(self, note):
        return eur(note.net_amount_ct)

    @admin.display(description="PDF")
    def pdf(self, note):
        return pdf_cell(
            note,
            reverse("admin:invoicing_cancellationnote_pdf", args=[note.pk]),
            reverse("admin:invoicing_cancellationnote_retry_pdf", args=[note.pk]),
        )


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, searchable across periods; each period and invoice page shows its own."""

    list_display = ["at", "period", "invoice", "what", "actor_name"]
    list_filter = ["kind", "to_status", "period__community"]
    search_fields = ["what", "actor_name", "invoice__invoice_id", "period__period_id"]
    date_hierarchy = "at"
    list_select_related = ["period__community", "invoice__house", "invoice__period"]
    show_full_result_count = False
