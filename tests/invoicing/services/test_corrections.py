"""Cancelling an invoice that money was booked against: refused until the payment is undone."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing import services
from invoicing.models import CancellationNote, Invoice
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def invoice(period, django_capture_on_commit_callbacks):
    add_readings(HouseFactory(community=period.community, house_id="house_1"), JANUARY, [("450.5", "120.3")])
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get()


def pay(invoice, amount_ct="6003"):
    return services.payment_record(
        invoice=invoice, paid_on=dt.date(2026, 2, 10), amount_ct=Decimal(amount_ct), reference="SEPA 4711"
    )


def test_a_paid_invoice_is_not_cancelled_and_says_to_undo_the_payment_first(invoice):
    pay(invoice)

    with pytest.raises(ValidationError, match="INV-2026-001 has a recorded payment; undo the payment first"):
        services.invoice_cancel(invoice=invoice, reason="Wrong address")

    assert Invoice.objects.get(pk=invoice.pk).status == "paid"
    assert not CancellationNote.objects.exists()


def test_a_partly_paid_invoice_is_not_cancelled_either(invoice):
    pay(invoice, "1000")

    with pytest.raises(ValidationError, match="undo the payment first"):
        services.invoice_cancel(invoice=invoice, reason="Wrong address")


def test_an_invoice_whose_payment_was_undone_can_be_cancelled(invoice, django_capture_on_commit_callbacks):
    services.payment_undo(payment=pay(invoice), reason="Booked on the wrong invoice")

    with django_capture_on_commit_callbacks(execute=False):
        result = services.invoice_cancel(invoice=invoice, reason="Wrong address")

    assert Invoice.objects.get(pk=invoice.pk).status == "cancelled"
    assert (result.note.number, result.corrected.number) == ("CN-2026-001", "INV-2026-002")
