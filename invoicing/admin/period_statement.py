"""A period's community statement: the panel on its page, its downloads and its frozen PDF."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formatting import site_time
from invoicing import services
from invoicing.documents.statement import display_context
from invoicing.models import PdfState, StatementDocument
from invoicing.period_figures import period_statement_shown
from invoicing.pricing import NoTariffError
from invoicing.statement import statement_to_csv, statement_to_json, statement_to_xlsx

from .base import BOTH_LOCATIONS, STATEMENT_TEMPLATE, object_view_url, page_figures
from .confirmation import reporting_refusals
from .stored_pdfs import pdf_response

STATEMENT_WRITERS = {
    "csv": ("text/csv; charset=utf-8", statement_to_csv),
    "json": ("application/json", statement_to_json),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", statement_to_xlsx),
}


class PeriodStatementMixin:
    """For ``SettlementPeriodAdmin``: the statement panel, ``<id>/statement.<format>`` and the PDF retry."""

    def get_urls(self):
        # "admin:invoicing_settlementperiod_statement", which the panel links to.
        return [
            object_view_url(self, "statement.<str:output_format>", self.statement_view, "statement"),
            *super().get_urls(),
        ]

    @admin.display(description=_("community statement"))
    def community_statement(self, period):
        """Energy, grid exchange and money of the period, per day and in total, with charts: a closed
        period shows its frozen statement, an open one its live statement as kept between writes."""
        try:
            statement = period_statement_shown(period=period, figures=page_figures(period))
        except NoTariffError as error:
            return str(error)
        return render_to_string(
            STATEMENT_TEMPLATE,
            {
                **display_context(statement),
                "frozen": statement.is_frozen,
                "csv_url": reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "csv"]),
                "json_url": reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "json"]),
                "xlsx_url": reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "xlsx"]),
            },
        )

    @admin.display(description=_("frozen statement"))
    def statement_pdf(self, period):
        document = StatementDocument.objects.filter(period=period).first()
        if document is None:
            return gettext("Frozen, with a PDF, when the period closes.")
        if document.pdf_state == PdfState.RENDERED:
            return format_html(
                gettext('Frozen {} &middot; <a href="{}">Download PDF</a> &middot; SHA-256 <code>{}</code>'),
                site_time(document.frozen_at),
                reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "pdf"]),
                document.pdf_sha256,
            )
        if document.pdf_state == PdfState.FAILED:
            return format_html(
                gettext('<strong>Rendering failed:</strong> {} Use the action "Render the statement PDF again".'),
                document.pdf_error,
            )
        return gettext("Frozen %(frozen)s; PDF %(state)s.") % {
            "frozen": site_time(document.frozen_at),
            "state": document.get_pdf_state_display().lower(),
        }

    @admin.action(
        description=_("Render the statement PDF again"), permissions=["invoice_change"], location=BOTH_LOCATIONS
    )
    def retry_statement_pdf(self, request, queryset):
        for document in StatementDocument.objects.filter(period__in=queryset).select_related("period"):
            with reporting_refusals(self, request):
                self.message_user(request, services.document_pdf_retry(document=document, acting_user=request.user))

    def statement_view(self, request, object_id, output_format):
        """The statement as CSV or JSON (as the panel shows it: frozen once closed), or its frozen PDF."""
        period = self.get_object(request, object_id)
        if period is None or output_format not in (*STATEMENT_WRITERS, "pdf"):
            raise Http404("No such period or format.")
        if not self.has_view_permission(request, period):
            raise PermissionDenied
        if output_format == "pdf":
            return pdf_response(get_object_or_404(StatementDocument, period=period))
        try:
            statement = period_statement_shown(period=period)
        except NoTariffError as error:
            raise Http404(str(error)) from None
        content_type, write = STATEMENT_WRITERS[output_format]
        response = HttpResponse(write(statement), content_type=content_type)
        filename = f"statement-{period.community.slug}-{period.month}.{output_format}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
