"""Recording and undoing payments: partial payments, the sign, the invoice's status, the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing import selectors, services
from invoicing.models import Invoice, IssuedDocumentError, LifecycleEvent, Payment
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
PAID_ON = dt.date(2026, 2, 10)


def issue(period, energies) -> Invoice:
    """One house's January invoice, issued: ``energies`` as in ``add_readings``."""
    house = HouseFactory(community=period.community, house_id="house_1")
    if energies:
        add_readings(house, JANUARY, energies)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get(house=house)


@pytest.fixture
def invoice(period):
    """Net +6002.5 ct: the community pays the house €60.03."""
    return issue(period, [("450.5", "120.3")])


def record(invoice, amount_ct, reference="SEPA 2026-02-10 Müller", **extra):
    return services.payment_record(
        invoice=invoice, paid_on=PAID_ON, amount_ct=Decimal(amount_ct), reference=reference, **extra
    )


def status(invoice) -> str:
    return Invoice.objects.get(pk=invoice.pk).status


def test_full_payment_of_the_rounded_net_makes_the_invoice_paid(invoice, admin_user):
    payment = record(invoice, "6003", acting_user=admin_user)

    assert status(invoice) == "paid"
    assert (payment.paid_on, payment.amount_ct, payment.reference) == (
        PAID_ON,
        Decimal("6003"),
        "SEPA 2026-02-10 Müller",
    )
    assert (payment.recorded_by, payment.recorded_by_name) == (admin_user, "admin")


def test_the_paid_event_carries_the_payment(invoice, admin_user):
    payment = record(invoice, "6003", acting_user=admin_user)

    event = selectors.invoice_events(invoice=invoice).last()
    assert (event.from_status, event.to_status, event.what, event.actor) == ("pending", "paid", "Paid", admin_user)
    assert event.details == {
        "payment": payment.pk,
        "paid_on": "2026-02-10",
        "amount_ct": "6003",
        "reference": "SEPA 2026-02-10 Müller",
        "outstanding_ct": "0",
    }


def test_partial_payments_keep_the_invoice_pending_until_they_cover_it(invoice):
    record(invoice, "2000")
    assert status(invoice) == "pending"
    assert services.invoice_outstanding_ct(invoice=invoice) == Decimal("4003")
    assert selectors.invoice_events(invoice=invoice).last().what == "Payment of €20.00 recorded; €40.03 outstanding"

    record(invoice, "4003", reference="SEPA rest")

    assert status(invoice) == "paid"


def test_a_negative_invoice_is_paid_by_the_house_with_a_positive_amount(period):
    invoice = issue(period, [("0", "100")])  # 100 kWh x 25 ct: the house pays €25.00

    record(invoice, "2500")

    assert invoice.net_amount_ct == Decimal("-2500") and status(invoice) == "paid"


def test_a_zero_invoice_is_settled_by_a_payment_of_zero(period):
    invoice = issue(period, [])

    record(invoice, "0", reference="nothing to pay")

    assert status(invoice) == "paid"


@pytest.mark.parametrize(
    ("amount_ct", "message"),
    [
        ("6004", "€60.04 is more than the €60.03 outstanding on INV-2026-001"),
        ("0", "A payment of €0.00 settles nothing"),
        ("-100", "zero or more; the invoice says who pays whom"),
        ("100.5", "whole cents"),
    ],
)
def test_amounts_that_do_not_fit_are_refused(invoice, amount_ct, message):
    with pytest.raises(ValidationError, match=message):
        record(invoice, amount_ct)

    assert not Payment.objects.exists() and status(invoice) == "pending"


def test_an_amount_is_never_a_float(invoice):
    with pytest.raises(TypeError, match="never goes through float"):
        services.payment_record(invoice=invoice, paid_on=PAID_ON, amount_ct=60.03, reference="SEPA")


def test_a_payment_needs_a_reference(invoice):
    with pytest.raises(ValidationError, match="reference"):
        record(invoice, "6003", reference="  ")


def test_a_payment_date_in_the_future_is_refused(invoice):
    with pytest.raises(ValidationError, match="in the future"):
        services.payment_record(
            invoice=invoice, paid_on=dt.date(2999, 1, 1), amount_ct=Decimal("6003"), reference="SEPA"
        )


def test_a_paid_invoice_takes_no_more_payments(invoice):
    record(invoice, "6003")

    with pytest.raises(ValidationError, match="INV-2026-001 takes no payment: it is paid in full"):
        record(invoice, "1")


def test_a_draft_takes_no_payment(period):
    HouseFactory(community=period.community)
    services.invoices_generate(period=period)

    with pytest.raises(ValidationError, match="not issued yet"):
        record(Invoice.objects.get(), "0")


def test_undo_makes_a_paid_invoice_pending_and_keeps_the_row(invoice, admin_user):
    payment = record(invoice, "6003")

    services.payment_undo(payment=payment, reason="Booked on the wrong invoice", acting_user=admin_user)

    assert status(invoice) == "pending"
    payment.refresh_from_db()
    assert payment.is_undone and payment.undone_by == admin_user and payment.undone_by_name == "admin"
    assert payment.undo_reason == "Booked on the wrong invoice"
    assert services.invoice_outstanding_ct(invoice=invoice) == Decimal("6003")


def test_the_undo_event_says_why(invoice):
    payment = record(invoice, "6003")

    services.payment_undo(payment=payment, reason="Bounced", actor_name="kim (undo_payment command)")

    event = selectors.invoice_events(invoice=invoice).last()
    assert (event.from_status, event.to_status, event.what) == ("paid", "pending", "Payment undone")
    assert event.actor_name == "kim (undo_payment command)"
    assert event.details["reason"] == "Bounced" and event.details["payment"] == payment.pk


def test_undoing_a_partial_payment_notes_it_and_stays_pending(invoice):
    payment = record(invoice, "2000")

    services.payment_undo(payment=payment, reason="Bounced")

    assert status(invoice) == "pending"
    assert selectors.invoice_events(invoice=invoice).last().what == "Payment of €20.00 undone"
    assert LifecycleEvent.objects.filter(to_status="paid").count() == 0


def test_undoing_a_zero_payment_reopens_a_zero_invoice(period):
    invoice = issue(period, [])
    payment = record(invoice, "0", reference="nothing to pay")

    services.payment_undo(payment=payment, reason="Wrong house")

    assert status(invoice) == "pending"


def test_undo_needs_a_reason_and_happens_once(invoice):
    payment = record(invoice, "6003")
    with pytest.raises(ValidationError, match="written reason"):
        services.payment_undo(payment=payment, reason=" ")

    services.payment_undo(payment=payment, reason="Bounced")

    with pytest.raises(ValidationError, match="already undone"):
        services.payment_undo(payment=payment, reason="Again")


def test_a_payment_is_paid_again_after_its_undo(invoice):
    services.payment_undo(payment=record(invoice, "6003"), reason="Wrong date")

    record(invoice, "6003", reference="SEPA 2026-02-11")

    assert status(invoice) == "paid"
    assert Payment.objects.count() == 2 and Payment.objects.active().count() == 1


def test_a_payment_row_is_never_deleted_or_edited(invoice):
    payment = record(invoice, "6003")

    with pytest.raises(IssuedDocumentError):
        payment.delete()
    with pytest.raises(IssuedDocumentError):
        Payment.objects.all().delete()
    with pytest.raises(IssuedDocumentError):
        Payment.objects.update(amount_ct=1)
    payment.reference = "other"
    with pytest.raises(IssuedDocumentError):
        payment.save()


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("60.03", "6003"), ("60", "6000"), ("0.5", "50"), (" 1234.00 ", "123400"), ("0", "0")],
)
def test_euros_typed_by_staff_become_exact_cents(typed, cents):
    assert services.eur_to_ct(typed) == Decimal(cents)


@pytest.mark.parametrize(("typed", "message"), [("60.031", "euros and cents"), ("-5", "without a sign"), ("6o", "not")])
def test_euros_that_are_not_an_amount_are_refused(typed, message):
    with pytest.raises(ValidationError, match=message):
        services.eur_to_ct(typed)
