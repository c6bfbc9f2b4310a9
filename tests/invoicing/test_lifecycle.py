"""The transition table, its one check, events, immutability of issued documents, cancellation."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing import lifecycle, queue, selectors, services
from invoicing.models import (
    CancellationNote,
    Invoice,
    InvoiceLine,
    InvoiceNumberCounter,
    IssuedDocumentError,
    LifecycleEvent,
    SettlementPeriod,
)
from invoicing.models.events import STATUS_LABELS
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PeriodStatus, InvoiceStatus = SettlementPeriod.Status, Invoice.Status
ALLOWED = {
    ("period", PeriodStatus.OPEN, PeriodStatus.CLOSING),
    ("period", PeriodStatus.CLOSING, PeriodStatus.CLOSED),
    ("period", PeriodStatus.CLOSING, PeriodStatus.OPEN),
    ("invoice", InvoiceStatus.DRAFT, InvoiceStatus.PENDING),
    ("invoice", InvoiceStatus.PENDING, InvoiceStatus.PAID),
    ("invoice", InvoiceStatus.PAID, InvoiceStatus.PENDING),
    ("invoice", InvoiceStatus.PENDING, InvoiceStatus.CANCELLED),
}
EVERY_PAIR = [("period", a, b) for a in PeriodStatus.values for b in PeriodStatus.values if a != b] + [
    ("invoice", a, b) for a in InvoiceStatus.values for b in InvoiceStatus.values if a != b
]


def test_the_table_is_exactly_the_issues_lifecycle():
    assert set(lifecycle.TRANSITIONS) == ALLOWED


@pytest.mark.parametrize(("kind", "from_status", "to_status"), EVERY_PAIR)
def test_transition_check_allows_exactly_the_table(kind, from_status, to_status):
    obj = SettlementPeriod(month="2026-01", status=from_status) if kind == "period" else Invoice(status=from_status)

    if (kind, from_status, to_status) in ALLOWED:
        assert lifecycle.transition_check(obj=obj, to_status=to_status)
    else:
        with pytest.raises(ValidationError, match=re.escape(f"cannot change to “{STATUS_LABELS[to_status]}”")):
            lifecycle.transition_check(obj=obj, to_status=to_status)


@pytest.fixture
def community(db):
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    return community


@pytest.fixture
def issued(community, django_capture_on_commit_callbacks):
    house = HouseFactory(community=community, house_id="house_1", name="Am Mühlbach 2")
    add_readings(house, JANUARY, [("450.5", "120.3")])
    period = SettlementPeriodFactory(community=community)
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get()


def pay(invoice, acting_user=None):
    return services.payment_record(
        invoice=invoice,
        paid_on=dt.date(2026, 2, 10),
        amount_ct=Decimal("6003"),
        reference="SEPA",
        acting_user=acting_user,
    )


def test_transition_writes_one_event_with_who_when_what(issued, admin_user):
    pay(issued, acting_user=admin_user)

    event = selectors.invoice_events(invoice=issued).last()
    assert (event.from_status, event.to_status, event.what) == ("pending", "paid", "Paid")
    assert event.actor == admin_user and event.actor_name == "admin" and event.at is not None
    assert event.period_id == issued.period_id


def test_a_paid_invoice_can_only_go_back_to_pending():
    refusal = "status “Paid”; it cannot change to “Cancelled” (from “Paid” it can change to: “Pending (issued)”)."
    with pytest.raises(ValidationError, match=re.escape(refusal)):
        lifecycle.transition_check(obj=Invoice(status=InvoiceStatus.PAID), to_status=InvoiceStatus.CANCELLED)


def test_issued_invoice_refuses_changes_at_the_model_layer(issued):
    issued.net_amount_ct = Decimal("1")
    with pytest.raises(IssuedDocumentError, match="INV-2026-001 is issued; its net_amount_ct never change"):
        issued.save()
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.filter(pk=issued.pk).update(recipient_name="Someone else")
    with pytest.raises(IssuedDocumentError):
        InvoiceLine.objects.filter(invoice=issued).update(energy_exported_kwh=0)


def test_issued_invoice_refuses_deletion_at_the_model_layer(issued):
    with pytest.raises(IssuedDocumentError, match="never be deleted"):
        Invoice.objects.get().delete()
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.all().delete()
    with pytest.raises(IssuedDocumentError):
        InvoiceLine.objects.all().delete()
    assert Invoice.objects.count() == 1


def test_drafts_stay_editable_and_deletable(community):
    HouseFactory(community=community)
    period = SettlementPeriodFactory(community=community)
    services.invoices_generate(period=period)

    Invoice.objects.update(recipient_name="Anna")
    Invoice.objects.all().delete()

    assert not Invoice.objects.exists()


def test_cancel_creates_a_numbered_cancellation_and_a_corrected_invoice(issued, admin_user):
    house = issued.house
    house.owner_name = "Käthe Schäfer"
    house.save()
    original_values = Invoice.objects.filter(pk=issued.pk).values("net_amount_ct", "recipient_name", "number").get()

    result = services.invoice_cancel(invoice=issued, reason="Wrong recipient", acting_user=admin_user)

    note = CancellationNote.objects.get()
    assert (note.number, note.cancelled_invoice_id, note.reason) == ("CN-2026-001", issued.pk, "Wrong recipient")
    assert note.net_amount_ct == Decimal("-6002.5")
    corrected = result.corrected
    assert (corrected.number, corrected.status, corrected.recipient_name) == (
        "INV-2026-002",
        "pending",
        "Käthe Schäfer",
    )
    assert note.corrected_by == corrected
    issued.refresh_from_db()
    assert issued.status == "cancelled"
    assert (
        Invoice.objects.filter(pk=issued.pk).values("net_amount_ct", "recipient_name", "number").get()
        == original_values
    )
    assert "CN-2026-001" in str(result) and "INV-2026-002" in str(result)


def test_cancel_is_recorded_on_both_invoices(issued, admin_user):
    services.invoice_cancel(invoice=issued, reason="Wrong recipient", acting_user=admin_user)

    cancelled = selectors.invoice_events(invoice=issued).last()
    assert (cancelled.from_status, cancelled.to_status) == ("pending", "cancelled")
    assert cancelled.details == {"reason": "Wrong recipient", "cancellation": "CN-2026-001"}
    corrected = Invoice.objects.get(number="INV-2026-002")
    assert selectors.invoice_events(invoice=corrected).get().details == {
        "number": "INV-2026-002",
        "corrects": "INV-2026-001",
    }


def test_cancel_needs_a_reason_and_a_pending_invoice(issued):
    with pytest.raises(ValidationError, match="written reason"):
        services.invoice_cancel(invoice=issued, reason=" ")
    services.invoice_cancel(invoice=issued, reason="Wrong")
    with pytest.raises(ValidationError, match="“Cancelled” is final"):
        services.invoice_cancel(invoice=Invoice.objects.get(pk=issued.pk), reason="Again")


def test_cancellation_series_is_gap_free_and_separate(issued):
    services.invoice_cancel(invoice=issued, reason="First")
    services.invoice_cancel(invoice=Invoice.objects.get(number="INV-2026-002"), reason="Second")

    assert list(CancellationNote.objects.order_by("number").values_list("number", flat=True)) == [
        "CN-2026-001",
        "CN-2026-002",
    ]
    assert dict(InvoiceNumberCounter.objects.values_list("series", "last_number")) == {"INV": 3, "CN": 2}


def test_cancellation_note_never_changes(issued):
    services.invoice_cancel(invoice=issued, reason="Wrong")
    note = CancellationNote.objects.get()

    note.reason = "Other"
    with pytest.raises(IssuedDocumentError):
        note.save()
    with pytest.raises(IssuedDocumentError):
        note.delete()
    with pytest.raises(IssuedDocumentError):
        CancellationNote.objects.update(reason="x")


def test_a_rolled_back_cancellation_uses_no_number(issued, monkeypatch):
    monkeypatch.setattr(queue, "pdfs_enqueue", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("crash")))

    with pytest.raises(RuntimeError):
        services.invoice_cancel(invoice=issued, reason="Wrong")

    assert not CancellationNote.objects.exists()
    issued.refresh_from_db()
    assert issued.status == "pending"
    assert not InvoiceNumberCounter.objects.filter(series="CN", last_number__gt=0).exists()
    assert LifecycleEvent.objects.filter(to_status="cancelled").count() == 0
