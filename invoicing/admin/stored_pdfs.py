"""Documents with a stored PDF (invoices, cancellation notes, statements): its cell, download and retry."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from core.formatting import site_time
from invoicing import selectors, services
from invoicing.models import PdfState

from .base import CONFIRM_PDF_RETRY_TEMPLATE, may_change_invoices, object_view_url
from .confirmation import confirmation_response, reporting_refusals


def pdf_cell(document, download_url: str, retry_url: str) -> str:
    """State of a document's PDF: a download link, the failure with a retry button, or waiting."""
    if document.pdf_state == PdfState.RENDERED:
        return format_html(
            '<a href="{}">Download PDF</a> &middot; rendered {} &middot; SHA-256 <code>{}</code>',
            download_url,
            site_time(document.pdf_rendered_at),
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

    def get_urls(self):
        return [
            object_view_url(self, "pdf/", self.pdf_view, "pdf"),
            object_view_url(self, "retry-pdf/", self.retry_pdf_view, "retry_pdf"),
            *super().get_urls(),
        ]

    def pdf_view(self, request, object_id):
        document = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, document):
            raise PermissionDenied
        return pdf_response(document)

    def retry_pdf_view(self, request, object_id):
        document = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not may_change_invoices(request) or not self.in_scope(request, document, writable=True):
            raise PermissionDenied
        if request.method == "POST":
            with reporting_refusals(self, request):
                self.message_user(request, services.document_pdf_retry(document=document, acting_user=request.user))
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[document.pk])
            )
        return confirmation_response(
            self,
            request,
            CONFIRM_PDF_RETRY_TEMPLATE,
            title=gettext("Render the PDF of %(document)s again") % {"document": document},
            obj=document,
            document=document,
        )
