"""Recording and undoing payments in the admin: confirmation pages, permissions, the inline list."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice, Payment

from .helpers import change_url, changelist, grant, offered_actions

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2026, 2, 10)


def record_url(invoice):
    return reverse("admin:invoicing_invoice_record_payment", args=[invoice.pk])


def undo_url(invoice):
    return reverse("admin:invoicing_invoice_undo_payment", args=[invoice.pk])


def pay(invoice, amount_ct="6003"):
    return services.payment_record(
        invoice=invoice, paid_on=PAID_ON, amount_ct=Decimal(amount_ct), reference="SEPA 4711"
    )


def status(invoice):
    return Invoice.objects.get(pk=invoice.pk).status


def test_record_page_confirms_first_with_today_and_the_outstanding_amount(admin_client, issued_invoice):
    with time_machine.travel(dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC), tick=False):
        response = admin_client.get(record_url(issued_invoice))

    assert response.status_code == 200
    assert "the community pays the house" in response.text and "outstanding: <strong>€60.03</strong>" in response.text
    form = response.context["form"]
    assert form["paid_on"].value() == PAID_ON and form["amount_eur"].value() == Decimal("60.03")
    assert not Payment.objects.exists() and status(issued_invoice) == "pending"


def test_record_page_records_the_payment_typed_in_euros(admin_client, admin_user, issued_invoice):
    data = {"paid_on": "2026-02-10", "amount_eur": "60.03", "reference": "SEPA 4711"}

    response = admin_client.post(record_url(issued_invoice), data, follow=True)

    payment = Payment.objects.get()
    assert (payment.amount_ct, payment.reference, payment.recorded_by) == (Decimal("6003"), "SEPA 4711", admin_user)
    assert status(issued_invoice) == "paid"
    assert "Payment recorded on INV-2026-001; it is now paid." in response.text


def test_a_refused_payment_is_shown_on_the_form(admin_client, issued_invoice):
    data = {"paid_on": "2026-02-10", "amount_eur": "600.30", "reference": "SEPA 4711"}

    response = admin_client.post(record_url(issued_invoice), data)

    assert response.status_code == 200
    assert "€600.30 is more than the €60.03 outstanding" in response.text
    assert not Payment.objects.exists()


def test_undo_page_asks_for_a_reason_then_undoes(admin_client, issued_invoice):
    payment = pay(issued_invoice)
    page = admin_client.get(f"{undo_url(issued_invoice)}?payment={payment.pk}")
    no_reason = admin_client.post(undo_url(issued_invoice), {"payment": payment.pk, "reason": ""})
    assert page.status_code == 200 and 'name="reason"' in page.text
    assert no_reason.status_code == 200 and status(issued_invoice) == "paid"

    response = admin_client.post(undo_url(issued_invoice), {"payment": payment.pk, "reason": "Returned"}, follow=True)

    assert status(issued_invoice) == "pending"
    assert Payment.objects.get().undo_reason == "Returned"
    assert "Payment undone on INV-2026-001; it is now pending (issued)." in response.text


def test_the_invoice_page_lists_payments_and_offers_the_pages(admin_client, issued_invoice):
    services.payment_undo(payment=pay(issued_invoice), reason="Wrong invoice")
    pay(issued_invoice, "1000")

    response = admin_client.get(change_url(issued_invoice))

    assert "Wrong invoice" in response.text and "€10.00 of €60.03 received" in response.text
    assert record_url(issued_invoice) in response.text and undo_url(issued_invoice) in response.text
    assert 'name="payments-0-reference"' not in response.text  # listed, not editable


@pytest.mark.parametrize("url", [record_url, undo_url], ids=["record", "undo"])
def test_staff_who_may_only_view_invoices_cannot_record_or_undo(staff_client, issued_invoice, url):
    grant(staff_client.user, "view_invoice")

    assert staff_client.get(url(issued_invoice)).status_code == 403
    assert staff_client.post(url(issued_invoice), {"reason": "x"}).status_code == 403
    assert not Payment.objects.exists()


def test_staff_who_may_change_invoices_cannot_record_a_payment_without_its_permission(staff_client, issued_invoice):
    grant(staff_client.user, "view_invoice", "change_invoice")

    response = staff_client.post(
        record_url(issued_invoice), {"paid_on": "2026-02-10", "amount_eur": "60.03", "reference": "X"}
    )

    assert response.status_code == 403 and status(issued_invoice) == "pending"


def test_staff_who_may_record_payments_records_a_payment(staff_client, issued_invoice):
    grant(staff_client.user, "view_invoice", "record_payment")

    staff_client.post(record_url(issued_invoice), {"paid_on": "2026-02-10", "amount_eur": "60.03", "reference": "X"})

    assert status(issued_invoice) == "paid"


def test_there_is_no_one_click_mark_paid_action(admin_client, issued_invoice):
    response = admin_client.get(changelist(Invoice))
    posted = admin_client.post(changelist(Invoice), {"action": "mark_paid", ACTION_CHECKBOX_NAME: [issued_invoice.pk]})

    assert "mark_paid" not in offered_actions(response)
    assert posted.status_code in (200, 302) and status(issued_invoice) == "pending"


def test_the_payment_list_finds_a_bank_reference_and_is_read_only(admin_client, issued_invoice):
    pay(issued_invoice)

    found = admin_client.get(changelist(Payment), {"q": "4711"})
    missing = admin_client.get(changelist(Payment), {"q": "9999"})

    assert found.context["cl"].result_count == 1 and missing.context["cl"].result_count == 0
    assert admin_client.post(change_url(Payment.objects.get()), {"reference": "x"}).status_code == 403
    assert Payment.objects.get().reference == "SEPA 4711"


def test_a_paid_invoice_page_says_to_undo_the_payment_before_cancelling(admin_client, issued_invoice):
    pay(issued_invoice)

    response = admin_client.get(change_url(issued_invoice))

    assert "It can be cancelled once its payment is undone" in response.text
    assert reverse("admin:invoicing_invoice_cancel", args=[issued_invoice.pk]) not in response.text
