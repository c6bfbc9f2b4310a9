"""Documents issued besides invoices: cancellation notes and a closed period's frozen statement."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community

from .fields import AMOUNT_FIELD
from .invoices import Invoice
from .periods import SettlementPeriod
from .stored_pdfs import IssuedDocumentError, StoredPdf


class CancellationNoteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        frozen = set(kwargs) - set(StoredPdf.PDF_FIELDS)
        if frozen:
            raise IssuedDocumentError(f"Cancellation documents never change ({', '.join(sorted(frozen))}).")
        return super().update(**kwargs)

    def delete(self):
        raise IssuedDocumentError("Cancellation documents are never deleted.")


class CancellationNote(StoredPdf):
    """The document that cancels an issued invoice: its own number (CN-YYYY-NNN), the reason, and
    the original's amounts reversed. The original row and its PDF stay as they were; the house's
    corrected invoice for the same period is ``corrected_by``.
    """

    SERIES = "CN"

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="cancellation_notes"
    )
    cancelled_invoice = models.OneToOneField(
        Invoice, verbose_name=_("cancelled invoice"), on_delete=models.PROTECT, related_name="cancellation_note"
    )
    corrected_by = models.OneToOneField(
        Invoice,
        verbose_name=_("corrected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrects_via",
    )
    number = models.CharField(_("number"), max_length=40)
    reason = models.TextField(_("reason"))
    net_amount_ct = models.DecimalField(
        _("net amount ct"), help_text=_("The original's net amount, reversed."), **AMOUNT_FIELD
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CancellationNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("cancellation note")
        verbose_name_plural = _("cancellation notes")
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="cancellation_number_unique_per_community"),
            models.CheckConstraint(condition=~Q(reason=""), name="cancellation_has_a_reason"),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not (update_fields and set(update_fields) <= set(self.PDF_FIELDS)):
            raise IssuedDocumentError(f"Cancellation document {self.number} never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError(f"Cancellation document {self.number} is never deleted.")


class StatementDocument(StoredPdf):
    """The community statement of a closed period, frozen when the close finished.

    ``content_json`` is the statement exactly as ``statement.statement_to_json`` wrote it then;
    the PDF is rendered from it, not from the live data.
    """

    period = models.OneToOneField(
        SettlementPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="statement_document"
    )
    content_json = models.TextField(_("content json"), editable=False)
    frozen_at = models.DateTimeField(_("frozen at"))

    class Meta:
        verbose_name = _("statement document")
        verbose_name_plural = _("statement documents")
        ordering = ["-frozen_at"]

    def __str__(self):
        return f"Statement {self.period}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not (update_fields and set(update_fields) <= set(self.PDF_FIELDS)):
            raise IssuedDocumentError(f"The statement of {self.period} is frozen and never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError(f"The statement of {self.period} is never deleted.")
