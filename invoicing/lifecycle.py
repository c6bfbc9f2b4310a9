"""Who may move where: the one table of allowed status transitions, the one function that checks
it, and the event row every transition writes.

Services call ``transition`` (one object) or ``transition_many`` (a batch, e.g. the invoices a
close issues) instead of assigning ``status`` themselves, so no status changes without its event.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from . import event_texts as texts
from .models import Invoice, LifecycleEvent, SettlementPeriod
from .models.events import STATUS_LABELS

PeriodStatus, InvoiceStatus = SettlementPeriod.Status, Invoice.Status

# (model, from, to) -> what the event says happened.
TRANSITIONS: dict[tuple[str, str, str], str] = {
    ("period", PeriodStatus.OPEN, PeriodStatus.CLOSING): texts.CLOSE_STARTED,
    ("period", PeriodStatus.CLOSING, PeriodStatus.CLOSED): texts.CLOSED,
    ("period", PeriodStatus.CLOSING, PeriodStatus.OPEN): texts.CLOSE_FAILED_REOPENED,
    ("invoice", InvoiceStatus.DRAFT, InvoiceStatus.PENDING): texts.ISSUED,
    ("invoice", InvoiceStatus.PENDING, InvoiceStatus.PAID): texts.PAID,
    ("invoice", InvoiceStatus.PAID, InvoiceStatus.PENDING): texts.PAYMENT_UNDONE,
    ("invoice", InvoiceStatus.PENDING, InvoiceStatus.CANCELLED): texts.CANCELLED,
}

SYSTEM_ACTOR = "system"


def _kind(obj) -> str:
    if isinstance(obj, SettlementPeriod):
        return "period"
    if isinstance(obj, Invoice):
        return "invoice"
    raise TypeError(f"{type(obj).__name__} has no lifecycle.")


def transition_check(*, obj, to_status: str) -> str:
    """What the transition of ``obj`` to ``to_status`` means, or a ValidationError saying why not."""
    kind = _kind(obj)
    what = TRANSITIONS.get((kind, obj.status, to_status))
    if what is None:
        raise ValidationError(_refusal(obj, kind, to_status))
    return what


def _refusal(obj, kind: str, to_status: str) -> str:
    allowed = sorted(to for (k, frm, to) in TRANSITIONS if k == kind and frm == obj.status)
    values = {
        "what": obj.month if kind == "period" else (obj.number or gettext("(draft)")),
        "status": STATUS_LABELS[obj.status],
        "to": STATUS_LABELS[to_status],
        # Quotation marks differ by language: “Paid” / „Bezahlt“.
        "allowed": ", ".join(gettext("“%(status)s”") % {"status": STATUS_LABELS[to]} for to in allowed),
    }
    if kind == "period":
        refusal = gettext("Period %(what)s has the status “%(status)s”; it cannot change to “%(to)s”")
    else:
        refusal = gettext("Invoice %(what)s has the status “%(status)s”; it cannot change to “%(to)s”")
    if allowed:
        return refusal % values + " " + gettext("(from “%(status)s” it can change to: %(allowed)s).") % values
    return refusal % values + " " + gettext("(“%(status)s” is final).") % values


def user_display_name(user) -> str:
    """'Full Name (username)', or the username alone: how a person is named in a period's record."""
    if user is None:
        return SYSTEM_ACTOR
    full_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def actor_label(actor, actor_name: str = "") -> str:
    if actor_name:
        return actor_name
    if actor is not None:
        return actor.get_username()
    return SYSTEM_ACTOR


def _event(*, obj, what, from_status, to_status, actor, actor_name, details, at, kind=LifecycleEvent.Kind.TRANSITION):
    is_invoice = isinstance(obj, Invoice)
    return LifecycleEvent(
        period_id=obj.period_id if is_invoice else obj.pk,
        invoice=obj if is_invoice else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        what=what,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor_label(actor, actor_name),
        at=at,
        details=details or {},
    )


def transition(*, obj, to_status: str, actor=None, actor_name: str = "", details: dict | None = None, save_fields=()):
    """Check, change ``obj.status``, save it (with ``save_fields``), and write the event.

    The caller holds the transaction (and, for periods, the row lock).
    """
    what = transition_check(obj=obj, to_status=to_status)
    from_status, now = obj.status, timezone.now()
    obj.status = to_status
    fields = ["status", *save_fields]
    if isinstance(obj, Invoice):
        obj.updated_at = now
        fields.append("updated_at")
    obj.save(update_fields=fields)
    event = _event(
        obj=obj,
        what=what,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        actor_name=actor_name,
        details=details,
        at=now,
    )
    event.save()
    return event


def transition_many(*, objs: Iterable, to_status: str, actor=None, actor_name: str = "", details=None) -> list:
    """The events for moving a batch of already-updated objects; checks each against the table.

    For bulk writes: the caller checks with this *before* its ``bulk_update`` (pass the objects
    with their old status), then saves the returned events with ``bulk_create``.
    """
    now = timezone.now()
    events = []
    for obj in objs:
        what = transition_check(obj=obj, to_status=to_status)
        per_object = details(obj) if callable(details) else details
        events.append(
            _event(
                obj=obj,
                what=what,
                from_status=obj.status,
                to_status=to_status,
                actor=actor,
                actor_name=actor_name,
                details=per_object,
                at=now,
            )
        )
    return events


def note(*, obj, what: str, actor=None, actor_name: str = "", details: dict | None = None) -> LifecycleEvent:
    """An event that is not a transition (a failed render, a refused scheduled close)."""
    event = _event(
        obj=obj,
        what=what,
        from_status=obj.status,
        to_status=obj.status,
        actor=actor,
        actor_name=actor_name,
        details=details,
        at=timezone.now(),
        kind=LifecycleEvent.Kind.NOTE,
    )
    event.save()
    return event
