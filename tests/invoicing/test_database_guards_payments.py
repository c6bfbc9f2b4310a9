"""The database keeps recorded payments as recorded (invoicing 0010): raw SQL cannot change or
delete one, nor rewrite an undo; recording, undoing and deleting a user still go through."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from invoicing import services
from invoicing.models import Payment
from tests.database_guards import draft, issue, refused

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2026, 2, 10)


@pytest.fixture
def clerk():
    return get_user_model().objects.create_user(username="clerk")


@pytest.fixture
def payment(period, clerk):
    invoice = issue(draft(period))
    return services.payment_record(
        invoice=invoice, paid_on=PAID_ON, amount_ct=Decimal(1000), reference="SEPA 1", acting_user=clerk
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [("amount_ct", 1), ("paid_on", "2026-02-11"), ("reference", "SEPA 2"), ("recorded_by_name", "someone")],
)
def test_a_recorded_payment_keeps_what_it_recorded(payment, column, value):
    refused(
        f"UPDATE invoicing_payment SET {column} = %s WHERE id = %s",
        [value, payment.pk],
        match="A recorded payment never changes",
    )


def test_a_recorded_payment_is_never_deleted(payment):
    refused("DELETE FROM invoicing_payment WHERE id = %s", [payment.pk], match="never deleted")


def test_an_undone_payment_keeps_its_undo(payment, clerk):
    services.payment_undo(payment=payment, reason="booked on the wrong invoice", acting_user=clerk)

    refused(
        "UPDATE invoicing_payment SET undo_reason = 'nothing happened' WHERE id = %s",
        [payment.pk],
        match="stays undone",
    )
    assert Payment.objects.get(pk=payment.pk).undo_reason == "booked on the wrong invoice"


def test_deleting_the_user_who_recorded_it_keeps_the_payment(payment, clerk):
    clerk.delete()

    kept = Payment.objects.get(pk=payment.pk)
    assert (kept.recorded_by_id, kept.recorded_by_name) == (None, payment.recorded_by_name)
