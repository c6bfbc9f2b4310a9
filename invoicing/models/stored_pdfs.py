"""What every issued document shares: its frozen state and its stored PDF."""

from django.core.exceptions import ValidationError
from django.db import models


class IssuedDocumentError(ValidationError):
    """An issued invoice or cancellation document was about to be changed or deleted."""


class PdfState(models.TextChoices):
    NONE = "", "No PDF (draft)"
    PENDING = "pending", "Waiting to be rendered"
    RENDERED = "rendered", "Rendered"
    FAILED = "failed", "Rendering failed"


class StoredPdf(models.Model):
    """The PDF of an issued document: rendered after the issuing transaction commits, stored once.

    The file lives under MEDIA_ROOT (``default_storage``); its SHA-256 is kept beside it so a
    download can prove it returns exactly the bytes that were rendered.
    """

    pdf_state = models.CharField("PDF", max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    pdf_file = models.FileField(max_length=255, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    pdf_error = models.TextField(blank=True, editable=False, help_text="Why the last render failed.")

    PDF_FIELDS = ("pdf_state", "pdf_file", "pdf_sha256", "pdf_rendered_at", "pdf_error")

    class Meta:
        abstract = True
