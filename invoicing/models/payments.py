"""Money that settled an issued invoice, as the bank statement shows it: recorded, never deleted.

A payment is undone by recording who undid it, when and why on the same row; the row stays, so
the history of what was booked and reversed can always be read back.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from core.money import round_ct

from .fields import AMOUNT_FIELD
from .invoices import Invoice
from .stored_pdfs import IssuedDocumentError

# What undoing writes on a payment row; every other field is frozen once recorded.
PAYMENT_UNDO_FIELDS = frozenset({"undone_at", "undone_by", "undone_by_name", "undo_reason"})


def payable_ct(invoice: Invoice) -> Decimal:
    """What settles ``invoice``: its net rounded to whole cents (``core.money.round_ct``), as a
    magnitude. The invoice's sign says who pays whom; a payment records only how much moved."""
    return abs(round_ct(invoice.net_amount_ct))


class PaymentQuerySet(models.QuerySet):
    def active(self):
        """Payments that count: not undone."""
        return self.filter(undone_at__isnull=True)

    def received_ct(self) -> Decimal:
        """The sum of the active payments' amounts, in cents (0 when there are none)."""
        return self.active().aggregate(total=Sum("amount_ct"))["total"] or Decimal(0)

    def update(self, **kwargs):
        frozen = set(kwargs) - PAYMENT_UNDO_FIELDS
        if frozen:
            raise IssuedDocumentError(
                f"A recorded payment's {', '.join(sorted(frozen))} never change; undo it and record it again."
            )
        return super().update(**kwargs)

    def delete(self):
        raise IssuedDocumentError("Payments are never deleted; undo one with a reason instead.")


class Payment(models.Model):
    """One transfer that settled (part of) an issued invoice.

    ``amount_ct`` is what moved, in cents, always zero or more: the invoice's net says in which
    direction (positive: the community paid the house; negative: the house paid the community).
    Several payments may settle one invoice (partial payments); the invoice becomes paid when the
    active ones add up to ``payable_ct``. A zero invoice is settled by a payment of 0.
    """

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(
        _("date paid"), help_text=_("The day the money arrived or left, as on the bank statement.")
    )
    amount_ct = models.DecimalField(_("amount (ct)"), help_text=_("Whole cents, zero or more."), **AMOUNT_FIELD)
    reference = models.CharField(
        _("bank reference"), max_length=140, help_text=_("As on the bank statement (SEPA allows 140 characters).")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_name = models.CharField(_("recorded by"), max_length=150)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    undone_by_name = models.CharField(_("undone by"), max_length=150, blank=True)
    undo_reason = models.TextField(_("undo reason"), blank=True)

    objects = PaymentQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["invoice", "recorded_at", "pk"]
        permissions = [("record_payment", _("Can record and undo payments"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount_ct__gte=0), name="payment_amount_not_negative"),
            models.CheckConstraint(condition=~Q(reference=""), name="payment_has_a_reference"),
            models.CheckConstraint(
                condition=(Q(undone_at__isnull=True) & Q(undo_reason="") & Q(undone_by_name=""))
                | (Q(undone_at__isnull=False) & ~Q(undo_reason="") & ~Q(undone_by_name="")),
                name="payment_undone_with_a_reason_or_not_at_all",
            ),
        ]

    def __str__(self):
        return f"{self.reference} ({self.paid_on:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            changed = set(kwargs.get("update_fields") or ["every field"]) - PAYMENT_UNDO_FIELDS
            if changed:
                raise IssuedDocumentError("A recorded payment never changes; undo it and record it again.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError("Payments are never deleted; undo one with a reason instead.")

    def clean(self):
        if self.amount_ct is not None and self.amount_ct != self.amount_ct.to_integral_value():
            raise ValidationError({"amount_ct": "A payment is in whole cents."})

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
