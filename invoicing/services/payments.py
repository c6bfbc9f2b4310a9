"""Recording what members paid (or were paid), and undoing a payment booked by mistake.

Both lock the invoice's row first (``SELECT … FOR UPDATE OF``), so two clerks booking the same
bank line at once queue up and the second sees the first's payment. Nothing else is locked: a
payment never changes a period, a number or a document.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import local_format
from core.formatting import eur
from core.money import CENTS_PER_EURO, require_decimal, round_ct

from .. import event_texts as texts
from .. import lifecycle
from ..models import PAYMENT_UNDO_FIELDS, Invoice, Payment, payable_ct

CENT_IN_EUR = Decimal("0.01")


def eur_to_ct(amount_eur: str | Decimal) -> Decimal:
    """``"60.03"`` (euros, as staff type them) -> ``Decimal("6003")`` cents, exactly.

    Refuses more than two decimals rather than rounding what a person typed, and refuses signs:
    the invoice already says who pays whom.
    """
    try:
        amount = Decimal(str(amount_eur).strip())
    except InvalidOperation:
        raise ValidationError(
            _("%(amount)s is not an amount in euros; write it like 60.03.") % {"amount": repr(amount_eur)}
        ) from None
    if not amount.is_finite() or amount != amount.quantize(CENT_IN_EUR):
        raise ValidationError(
            _("%(amount)s is not an amount in euros and cents; write it like 60.03.") % {"amount": repr(amount_eur)}
        )
    if amount < 0:
        raise ValidationError(_("Type the amount without a sign; the invoice says who pays whom."))
    return amount * CENTS_PER_EURO


def invoice_outstanding_ct(*, invoice: Invoice) -> Decimal:
    """What is still to be paid on ``invoice``, in whole cents (0 once it is settled)."""
    return max(payable_ct(invoice) - invoice.payments.received_ct(), Decimal(0))


def invoice_is_covered(*, invoice: Invoice) -> bool:
    """Whether the active payments settle ``invoice`` (a zero invoice needs one payment of 0)."""
    active = invoice.payments.active()
    return active.exists() and active.received_ct() >= payable_ct(invoice)


def _locked_invoice(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).get(pk=invoice.pk)


def _details(payment: Payment, **extra) -> dict:
    return {
        "payment": payment.pk,
        "paid_on": payment.paid_on.isoformat(),
        "amount_ct": str(round_ct(payment.amount_ct)),
        "reference": payment.reference,
        **extra,
    }


def _recorded(amount_ct: Decimal) -> str:
    """An amount in an invoice's event: events are a record kept in English (as the transitions'
    words are), whatever language the clerk's page was in."""
    return local_format.money(amount_ct, "en")


def _check_recordable(invoice: Invoice, paid_on: dt.date, amount_ct: Decimal, outstanding_ct: Decimal) -> None:
    if invoice.status != Invoice.Status.PENDING:
        raise ValidationError(
            {
                Invoice.Status.DRAFT: _("A draft invoice takes no payment: it is not issued yet."),
                Invoice.Status.PAID: _("%(number)s takes no payment: it is paid in full."),
                Invoice.Status.CANCELLED: _(
                    "%(number)s takes no payment: it is cancelled; record the payment on its corrected invoice."
                ),
            }[invoice.status]
            % {"number": invoice.number}
        )
    if amount_ct < 0:
        raise ValidationError(_("A payment's amount is zero or more; the invoice says who pays whom."))
    if paid_on > timezone.localdate():
        raise ValidationError(_("The payment date %(day)s is in the future.") % {"day": f"{paid_on:%Y-%m-%d}"})
    if amount_ct > outstanding_ct:
        raise ValidationError(
            _(
                "%(amount)s is more than the %(outstanding)s outstanding on %(number)s; "
                "record what settles the invoice and return the rest to the member."
            )
            % {"amount": eur(amount_ct), "outstanding": eur(outstanding_ct), "number": invoice.number}
        )
    if amount_ct == 0 and outstanding_ct != 0:
        raise ValidationError(
            _("A payment of %(amount)s settles nothing on %(number)s.")
            % {"amount": eur(amount_ct), "number": invoice.number}
        )


@transaction.atomic
def payment_record(
    *, invoice: Invoice, paid_on: dt.date, amount_ct: Decimal, reference: str, acting_user=None, actor_name: str = ""
) -> Payment:
    """Record a payment of ``amount_ct`` (cents, what moved) on a pending invoice.

    Partial payments are allowed; the invoice becomes paid when the active payments cover its
    payable amount. More than is outstanding is refused (a typo, or money to return).
    """
    require_decimal("amount_ct", amount_ct)
    locked = _locked_invoice(invoice)
    outstanding_ct = invoice_outstanding_ct(invoice=locked)
    _check_recordable(locked, paid_on, amount_ct, outstanding_ct)
    payment = Payment(
        invoice=locked,
        paid_on=paid_on,
        amount_ct=amount_ct,
        reference=(reference or "").strip(),
        recorded_at=timezone.now(),
        recorded_by=acting_user if acting_user is not None and acting_user.pk else None,
        recorded_by_name=lifecycle.actor_label(acting_user, actor_name),
    )
    payment.full_clean()
    payment.save()
    left_ct = outstanding_ct - amount_ct
    details = _details(payment, outstanding_ct=str(round_ct(left_ct)))
    if invoice_is_covered(invoice=locked):
        lifecycle.transition(
            obj=locked, to_status=Invoice.Status.PAID, actor=acting_user, actor_name=actor_name, details=details
        )
    else:
        what = texts.PAYMENT_RECORDED_OF % {"amount": _recorded(amount_ct), "outstanding": _recorded(left_ct)}
        lifecycle.note(obj=locked, what=what, actor=acting_user, actor_name=actor_name, details=details)
    invoice.status = locked.status
    return payment


@transaction.atomic
def payment_undo(*, payment: Payment, reason: str, acting_user=None, actor_name: str = "") -> Payment:
    """Undo a payment booked by mistake: the row stays, marked undone with who, when and why.

    A paid invoice that its remaining payments no longer cover becomes pending again, so it can
    be paid properly or cancelled.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Undoing a payment needs a written reason (it is kept in the invoice's history)."))
    locked = _locked_invoice(payment.invoice)
    payment = Payment.objects.get(pk=payment.pk)  # read again under the invoice's lock
    if payment.is_undone:
        raise ValidationError(
            _("The payment %(payment)s was already undone on %(day)s by %(name)s.")
            % {"payment": payment, "day": f"{payment.undone_at:%Y-%m-%d}", "name": payment.undone_by_name}
        )
    payment.undone_at = timezone.now()
    payment.undone_by = acting_user if acting_user is not None and acting_user.pk else None
    payment.undone_by_name = lifecycle.actor_label(acting_user, actor_name)
    payment.undo_reason = reason
    payment.full_clean()
    payment.save(update_fields=sorted(PAYMENT_UNDO_FIELDS))
    details = _details(payment, reason=reason)
    if locked.status == Invoice.Status.PAID and not invoice_is_covered(invoice=locked):
        lifecycle.transition(
            obj=locked, to_status=Invoice.Status.PENDING, actor=acting_user, actor_name=actor_name, details=details
        )
    else:
        what = texts.PAYMENT_UNDONE_OF % {"amount": _recorded(payment.amount_ct)}
        lifecycle.note(obj=locked, what=what, actor=acting_user, actor_name=actor_name, details=details)
    return payment
