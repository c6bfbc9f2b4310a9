"""What every issued document shares: its frozen state and its stored PDF."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class IssuedDocumentError(ValidationError):
    """An issued invoice or cancellation document was about to be changed or deleted."""


class PdfState(models.TextChoices):
    NONE = "", _("No PDF (draft)")
    PENDING = "pending", _("Waiting to be rendered")
    RENDERED = "rendered", _("Rendered")
    FAILED = "failed", _("Rendering failed")


class StoredPdf(models.Model):
    """The PDF of an issued document: rendered after the issuing transaction commits, stored once.

    The file lives under MEDIA_ROOT (``default_storage``); its SHA-256 is kept beside it so a
    download can prove it returns exactly the bytes that were rendered.
    """

    pdf_state = models.CharField(_("PDF"), max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    pdf_file = models.FileField(_("pdf file"), max_length=255, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(_("pdf rendered at"), null=True, blank=True, editable=False)
    pdf_error = models.TextField(_("pdf error"), blank=True, editable=False, help_text=_("Why the last render failed."))

    PDF_FIELDS = ("pdf_state", "pdf_file", "pdf_sha256", "pdf_rendered_at", "pdf_error")

    class Meta:
        abstract = True
