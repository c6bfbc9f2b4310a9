"""A period's invoices downloaded from its page: CSV, XLSX and JSON in the spec's format, and a ZIP
of the month's stored PDFs, streamed as it is written (``exports.month_pdfs_zip``)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoicing import exports, selectors

from .base import object_view_url

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "zip": "application/zip",
}
TABLE_FORMATS = ("csv", "xlsx", "json")


def may_view_invoices(request) -> bool:
    return request.user.has_perm("invoicing.view_invoice") or request.user.has_perm("invoicing.change_invoice")


def _table(period, output_format: str, *, drafts: bool):
    records = [
        exports.invoice_record(invoice) for invoice in selectors.invoices_for_export(period=period, drafts=drafts)
    ]
    if output_format == "json":
        return exports.period_to_json(period, records)
    if output_format == "xlsx":
        return exports.records_to_xlsx(records)
    return exports.records_to_csv(records)


class PeriodExportsMixin:
    """For ``SettlementPeriodAdmin``: ``<id>/invoices.<format>`` and the buttons that link to it."""

    def get_urls(self):
        # "admin:invoicing_settlementperiod_invoices_export"
        return [
            object_view_url(self, "invoices.<str:output_format>", self.invoices_export_view, "invoices_export"),
            *super().get_urls(),
        ]

    @admin.display(description=_("downloads"))
    def invoice_downloads(self, period):
        """Issued invoices as CSV, XLSX, JSON and their PDFs as ZIP; the drafts too while there are any."""
        if period.pk is None:
            return ""

        def links(formats, query=""):
            url_name = "admin:invoicing_settlementperiod_invoices_export"
            return format_html_join(
                " ",
                '<a class="button" href="{}{}">{}</a>',
                ((reverse(url_name, args=[period.pk, fmt]), query, fmt.upper()) for fmt in formats),
            )

        issued = format_html("{}: {}", gettext("Issued invoices"), links((*TABLE_FORMATS, "zip")))
        if not getattr(period, "draft_count", 0):
            return issued
        return format_html("{}<br>{}: {}", issued, gettext("Drafts"), links(TABLE_FORMATS, "?drafts=1"))

    def invoices_export_view(self, request, object_id, output_format):
        period = self.get_object(request, object_id)
        if period is None or output_format not in CONTENT_TYPES:
            raise Http404(gettext("No such period or format."))
        if not (self.has_view_permission(request, period) and may_view_invoices(request)):
            raise PermissionDenied
        drafts = request.GET.get("drafts") == "1"
        if output_format == "zip":
            try:
                response = StreamingHttpResponse(exports.month_pdfs_zip(period=period), content_type="application/zip")
            except ValidationError as error:
                return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain; charset=utf-8")
            name = f"invoices-{period.community.slug}-{period.month}-pdf.zip"
        else:
            response = HttpResponse(
                _table(period, output_format, drafts=drafts), content_type=CONTENT_TYPES[output_format]
            )
            kind = "drafts" if drafts else "invoices"
            name = f"{kind}-{period.community.slug}-{period.month}.{output_format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
