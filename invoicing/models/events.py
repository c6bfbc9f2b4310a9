from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..event_texts import event_text
from .invoices import Invoice
from .periods import SettlementPeriod

# A period's and an invoice's statuses share no value, so one table names both.
STATUS_LABELS = dict(SettlementPeriod.Status.choices) | dict(Invoice.Status.choices)


class LifecycleEvent(models.Model):
    """One thing that happened to a period or an invoice: a status transition or a note.

    Written by ``invoicing.lifecycle`` for every transition (the audit trail the admin shows on
    the period and invoice pages) and for notable non-transitions (a failed PDF, a refused
    scheduled close). ``actor_name`` keeps who did it even when the user is deleted later, and
    names the machine actors ("schedule", "close task").
    """

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Transition")
        NOTE = "note", _("Note")

    period = models.ForeignKey(
        SettlementPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="events"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TRANSITION)
    from_status = models.CharField(_("from status"), max_length=10, blank=True)
    to_status = models.CharField(_("to status"), max_length=10, blank=True)
    what = models.CharField(_("what"), max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("who"), max_length=150)
    at = models.DateTimeField(_("when"), db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("lifecycle event")
        verbose_name_plural = _("lifecycle events")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["invoice", "at"], name="event_invoice_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.what}"

    @property
    def what_shown(self) -> str:
        """``what`` in the reader's language (stored in English, the record)."""
        return event_text(self.what)

    @property
    def from_status_shown(self) -> str:
        return STATUS_LABELS.get(self.from_status, self.from_status)

    @property
    def to_status_shown(self) -> str:
        return STATUS_LABELS.get(self.to_status, self.to_status)
