"""Sending issued invoices and cancellation notes to their members by e-mail, exactly once.

A send first *queues* one ``InvoiceDelivery`` row per document (in the caller's transaction),
then django-q2 tasks send them after commit. The task claims a row with a conditional UPDATE
(queued -> sending) before it talks to the mail server: of two deliveries of one task, or two
tasks on one row, only the claimer sends. A row whose PDF is still being rendered stays queued
and is sent when the PDF is stored (``deliveries_after_render``). A sent row is never sent again;
"resend" is an explicit staff action that makes a new row (``resend_of``) and records who did it.
"""

from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.audit import audit_summary
from core.formatting import eur

from .. import event_texts as texts
from .. import lifecycle, queue, selectors
from ..models import CancellationNote, Invoice, InvoiceDelivery, PdfState, SettlementPeriod
from .periods import ANY_STATUS, period_lock

SEND_PERMISSION = "invoicing.send_invoice_emails"
RESEND_PERMISSION = "invoicing.resend_invoice_emails"
Status, Kind = InvoiceDelivery.Status, InvoiceDelivery.Kind
LIVE_ISSUED = (Invoice.Status.PENDING, Invoice.Status.PAID)


@dataclass(frozen=True)
class DeliveryReport:
    period: SettlementPeriod
    queued: list[InvoiceDelivery] = field(default_factory=list)
    without_email: list[str] = field(default_factory=list)  # "house_3 (Sonnenweg 3)"

    def __str__(self):
        text = _("%(period)s: %(count)d e-mails queued.") % {"period": self.period, "count": len(self.queued)}
        if self.without_email:
            text += " " + _("Houses without an e-mail address (not sent): %(houses)s.") % {
                "houses": ", ".join(self.without_email)
            }
        return text


def _require(acting_user, permission: str) -> None:
    """Staff need the right to send; commands and tasks (no user) act for the installation."""
    if acting_user is not None and not acting_user.has_perm(permission):
        raise PermissionDenied(_("You may not send or resend invoices by e-mail."))


def _new_delivery(invoice: Invoice, *, note=None, recipient: str, acting_user, actor_name: str, resend_of=None):
    return InvoiceDelivery(
        community_id=invoice.community_id,
        invoice=invoice,
        cancellation_note=note,
        kind=Kind.CANCELLATION if note is not None else Kind.INVOICE,
        recipient=recipient,
        queued_at=timezone.now(),
        requested_by=acting_user if acting_user is not None and acting_user.pk else None,
        requested_by_name=lifecycle.actor_label(acting_user, actor_name),
        resend_of=resend_of,
    )


@transaction.atomic
def deliveries_queue(*, period: SettlementPeriod, acting_user=None, actor_name: str = "") -> DeliveryReport:
    """Queue an e-mail for every issued invoice of ``period`` not yet queued or sent, and for every
    cancellation note whose cancelled invoice was e-mailed; they are sent after commit.

    Runs under the period's row lock, so two sends at once queue each document once; a second run
    queues nothing. A house without an e-mail address is reported, not queued.
    """
    _require(acting_user, SEND_PERMISSION)
    locked = period_lock(period, allowed=ANY_STATUS)
    if locked.status == SettlementPeriod.Status.CLOSING:
        raise ValidationError(
            _("Period %(period)s is closing; send its invoices once it is closed.") % {"period": locked.month}
        )
    invoices = list(
        locked.invoices.filter(status__in=LIVE_ISSUED)
        .exclude(deliveries__kind=Kind.INVOICE)
        .select_related("house")
        .order_by("number")
    )
    notes = list(
        CancellationNote.objects.filter(
            cancelled_invoice__period=locked,
            cancelled_invoice__deliveries__kind=Kind.INVOICE,
            cancelled_invoice__deliveries__status=Status.SENT,
        )
        .exclude(deliveries__isnull=False)
        .select_related("cancelled_invoice__house")
        .distinct()
        .order_by("number")
    )
    targets = [(invoice, None) for invoice in invoices] + [(note.cancelled_invoice, note) for note in notes]
    rows = [
        _new_delivery(invoice, note=note, recipient=invoice.house.email, acting_user=acting_user, actor_name=actor_name)
        for invoice, note in targets
        if invoice.house.email
    ]
    without_email = sorted(
        {f"{inv.house.house_id} ({inv.house.name})" for inv, _note in targets if not inv.house.email}
    )
    created = InvoiceDelivery.objects.bulk_create(rows)
    if created or without_email:
        details = {"queued": len(created), "houses_without_email": ", ".join(without_email) or "none"}
        lifecycle.note(obj=locked, what=texts.QUEUED_FOR_EMAIL, actor=acting_user, actor_name=actor_name,
                       details=details)  # fmt: skip
        audit_summary(obj=locked, what="Invoices queued for e-mail", details=details, actor=acting_user)
    queue.deliveries_enqueue(delivery_pks=[row.pk for row in created])
    return DeliveryReport(period=locked, queued=created, without_email=without_email)


def deliveries_after_cancel(*, note: CancellationNote, acting_user=None) -> list[InvoiceDelivery]:
    """A community that sends its invoices when closed sends a cancellation the same way: the note,
    and the corrected invoice, go to a member who was e-mailed the cancelled invoice.

    Called by ``invoice_cancel`` in its transaction; the e-mails go once their PDFs are stored.
    """
    original = note.cancelled_invoice
    emailed = original.deliveries.filter(kind=Kind.INVOICE, status=Status.SENT).exists()
    recipient = original.house.email
    if not (note.community.send_invoices_when_closed and emailed and recipient):
        return []
    rows = [_new_delivery(original, note=note, recipient=recipient, acting_user=acting_user, actor_name="")]
    if note.corrected_by is not None:
        rows.append(_new_delivery(note.corrected_by, recipient=recipient, acting_user=acting_user, actor_name=""))
    created = InvoiceDelivery.objects.bulk_create(rows)
    queue.deliveries_enqueue(delivery_pks=[row.pk for row in created])
    return created


@transaction.atomic
def delivery_resend(*, delivery: InvoiceDelivery, acting_user=None, actor_name: str = "") -> InvoiceDelivery:
    """Send a delivery's document again, to the house's current address, as a new delivery row.

    An explicit staff action: it needs its own permission, and it is recorded on the invoice's
    events and in the audit trail (the new row, with who asked for it).
    """
    _require(acting_user, RESEND_PERMISSION)
    original = InvoiceDelivery.objects.select_related("invoice__house", "cancellation_note").get(pk=delivery.pk)
    if original.status == Status.QUEUED:
        raise ValidationError(
            _("The e-mail of %(number)s is still queued; it goes once its PDF is stored.")
            % {"number": original.document_number}
        )
    recipient = original.invoice.house.email
    if not recipient:
        raise ValidationError(
            _("House %(house)s has no e-mail address; add one first.") % {"house": original.invoice.house.house_id}
        )
    resent = _new_delivery(
        original.invoice,
        note=original.cancellation_note,
        recipient=recipient,
        acting_user=acting_user,
        actor_name=actor_name,
        resend_of=original,
    )
    resent.save()  # one row, saved on its own: the audit trail records it with its actor
    lifecycle.note(
        obj=original.invoice,
        what=texts.EMAIL_RESENT % {"document": original.document_number},
        actor=acting_user,
        actor_name=actor_name,
        details={"recipient": recipient, "previous_status": original.status},
    )
    queue.deliveries_enqueue(delivery_pks=[resent.pk])
    return resent


def document_resend(*, invoice: Invoice, acting_user=None, actor_name: str = "") -> InvoiceDelivery:
    """Resend the document an invoice stands for now: its cancellation note once it is cancelled,
    else the invoice. Refused before it was ever e-mailed (that is "Send invoices by e-mail")."""
    kind = Kind.CANCELLATION if invoice.status == Invoice.Status.CANCELLED else Kind.INVOICE
    last = InvoiceDelivery.objects.filter(invoice=invoice, kind=kind).order_by("-queued_at", "-pk").first()
    if last is None:
        raise ValidationError(
            _("%(invoice)s has not been e-mailed yet; send the period's invoices first.") % {"invoice": invoice}
        )
    return delivery_resend(delivery=last, acting_user=acting_user, actor_name=actor_name)


def deliveries_resend_failed(*, period: SettlementPeriod, acting_user=None, actor_name: str = "") -> str:
    """Resend every failed e-mail of a period that has not been resent yet."""
    _require(acting_user, RESEND_PERMISSION)
    failed = InvoiceDelivery.objects.filter(invoice__period=period, status=Status.FAILED, resends__isnull=True)
    resent = [delivery_resend(delivery=row, acting_user=acting_user, actor_name=actor_name) for row in failed]
    return _("%(period)s: %(count)d failed e-mails queued again.") % {"period": period, "count": len(resent)}


def deliveries_after_render(*, invoice_pks=(), note_pks=()) -> None:
    """Enqueue the e-mails that were waiting for these documents' PDFs, now stored."""
    waiting = InvoiceDelivery.objects.filter(status=Status.QUEUED).filter(
        Q(kind=Kind.INVOICE, invoice_id__in=list(invoice_pks))
        | Q(kind=Kind.CANCELLATION, cancellation_note_id__in=list(note_pks))
    )
    queue.deliveries_enqueue(delivery_pks=list(waiting.values_list("pk", flat=True)))


def deliveries_send(*, delivery_pks) -> str:
    """Send a batch of queued e-mails over one connection to the mail server."""
    outcomes = {}
    with mailers.default as mailer:
        for pk in delivery_pks:
            outcome = delivery_send(delivery_pk=pk, mailer=mailer)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or "nothing to send"


def delivery_send(*, delivery_pk: int, mailer=None) -> str:
    """Send one queued e-mail, at most once; returns what happened ("sent", "failed", "waiting", "skipped")."""
    delivery = (
        InvoiceDelivery.objects.filter(pk=delivery_pk)
        .select_related("community", "invoice__period", "invoice__corrects_via", "cancellation_note__corrected_by")
        .first()
    )
    if delivery is None or delivery.status != Status.QUEUED:
        return "skipped"
    if delivery.document.pdf_state != PdfState.RENDERED:
        return "waiting"  # sent by deliveries_after_render once the PDF is stored
    # The Message-ID is stored with the claim: if the worker dies mid-send, staff can look it up in
    # the mail server's log before they resend (deliveries_interrupted_fail).
    message_id = make_msgid(domain=_message_domain())
    claimed = InvoiceDelivery.objects.filter(pk=delivery.pk, status=Status.QUEUED).update(
        status=Status.SENDING, attempts=F("attempts") + 1, sending_since=timezone.now(), message_id=message_id
    )
    if not claimed:
        return "skipped"  # another task claimed it first
    try:
        message = delivery_message(delivery, message_id=message_id)
        if not (mailer or mailers.default).send_messages([message]):
            raise RuntimeError("the mail backend accepted no message")
    except Exception as error:  # noqa: BLE001 - any failure is kept on the row, for a resend
        _delivery_failed(delivery, f"{type(error).__name__}: {error}")
        return "failed"
    InvoiceDelivery.objects.filter(pk=delivery.pk).update(status=Status.SENT, sent_at=timezone.now(), error="")
    return "sent"


@transaction.atomic
def deliveries_interrupted_fail(*, period: SettlementPeriod | None = None, now=None) -> int:
    """Mark as failed the e-mails left "sending" by a crashed worker (claimed longer ago than
    ``LEG_STUCK_AFTER_MINUTES``), of one period or of all; returns how many.

    Never sent again by themselves: the mail server may have accepted one just before the crash,
    and a member must not get an invoice twice. Failed, each says what to check (its Message-ID
    in the mail server's log) and waits for an explicit, recorded resend like any failed e-mail.
    """
    cutoff = (now or timezone.now()) - selectors.stuck_after()
    stuck = InvoiceDelivery.objects.select_for_update(of=("self",)).filter(
        status=Status.SENDING, sending_since__lt=cutoff
    )
    if period is not None:
        stuck = stuck.filter(invoice__period=period)
    rows = list(stuck.select_related("invoice", "cancellation_note"))
    for delivery in rows:
        _delivery_failed(delivery, _interrupted_error(delivery))
    return len(rows)


def _interrupted_error(delivery: InvoiceDelivery) -> str:
    return _(
        "Interrupted while sending (the worker stopped): it may have reached the mail server or not. "
        "Look for Message-ID %(message_id)s in the mail server's log; resend it only if it is not there."
    ) % {"message_id": delivery.message_id}


@transaction.atomic
def _delivery_failed(delivery: InvoiceDelivery, error: str) -> None:
    InvoiceDelivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, error=error)
    lifecycle.note(
        obj=delivery.invoice,
        what=texts.EMAIL_FAILED % {"document": delivery.document_number, "recipient": delivery.recipient},
        details={"error": error},
    )


def delivery_message(delivery: InvoiceDelivery, *, message_id: str) -> EmailMessage:
    """The e-mail, in the community's language, with the document's stored (and checked) PDF."""
    community, document = delivery.community, delivery.document
    context = {"delivery": delivery, "community": community, "invoice": delivery.invoice, "document": document}
    template = "invoicing/email/" + delivery.kind
    with translation.override(community.language):
        context["amount"] = eur(abs(delivery.invoice.net_amount_ct))
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.recipient],
        reply_to=[community.contact_email] if community.contact_email else [],
        headers={"Message-ID": message_id},
    )
    message.attach(f"{document.number}.pdf", selectors.document_pdf_bytes(document=document), "application/pdf")
    return message


def _message_domain() -> str:
    """The domain of Message-IDs: the sender's, so replies and bounces thread under it."""
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"
