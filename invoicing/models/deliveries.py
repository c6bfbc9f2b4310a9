"""E-mail delivery of issued documents: one row per message a member is (to be) sent."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community

from .documents import CancellationNote
from .invoices import Invoice


class InvoiceDelivery(models.Model):
    """One e-mail carrying an invoice's (or its cancellation note's) stored PDF to its member.

    Queued when staff, a command or a finished close send a period's invoices; claimed by the
    send task with a conditional UPDATE (queued -> sending), so a task delivered twice sends once.
    A sent row is never sent again: a resend is a new row, made by an explicit staff action.
    """

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CANCELLATION = "cancellation", _("Cancellation note")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="deliveries")
    cancellation_note = models.ForeignKey(
        CancellationNote,
        verbose_name=_("cancellation note"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    recipient = models.EmailField(_("recipient"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True, help_text=_("Why the last attempt failed."))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), db_index=True)
    sending_since = models.DateTimeField(
        _("sending since"),
        null=True,
        blank=True,
        help_text=_("When the last attempt claimed it: one still sending long after was cut off by a crash."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by_name = models.CharField(_("requested by"), max_length=150)
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="resends", verbose_name=_("resend of")
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        ordering = ["-queued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="invoice") & Q(cancellation_note__isnull=True))
                | (Q(kind="cancellation") & Q(cancellation_note__isnull=False)),
                name="delivery_note_exactly_for_cancellations",
            ),
        ]
        indexes = [models.Index(fields=["invoice", "kind", "status"], name="delivery_invoice_kind_status")]
        permissions = [
            ("send_invoice_emails", _("Can send a period's invoices by e-mail")),
            ("resend_invoice_emails", _("Can resend invoices by e-mail")),
        ]

    def __str__(self):
        return f"{self.document_number} to {self.recipient}"

    @property
    def document(self):
        """The issued document whose PDF this e-mail carries."""
        return self.cancellation_note if self.kind == self.Kind.CANCELLATION else self.invoice

    @property
    def document_number(self) -> str:
        return self.document.number
