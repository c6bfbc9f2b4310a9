"""Payments under parallel writers on PostgreSQL: the invoice's row lock serialises them."""

import datetime as dt
from decimal import Decimal

import pytest

from invoicing import queue, services
from invoicing.models import CancellationNote, Invoice, LifecycleEvent, Payment
from tests.factories import HouseFactory, SettlementPeriodFactory, add_readings

from .test_concurrency import run_at_once

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def invoice(community, monkeypatch):
    monkeypatch.setattr(queue, "pdfs_enqueue", lambda **kwargs: None)  # PDFs are not what this is about
    add_readings(HouseFactory(community=community, house_id="house_1"), JANUARY, [("450.5", "120.3")])
    period = SettlementPeriodFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get()


def full_payment(invoice, reference):
    return lambda: services.payment_record(
        invoice=invoice, paid_on=dt.date(2026, 2, 10), amount_ct=Decimal("6003"), reference=reference
    )


def test_five_clerks_booking_the_same_payment_at_once_book_it_once(invoice):
    results = run_at_once([full_payment(invoice, f"SEPA {n}") for n in range(5)])

    assert sorted(kind for kind, _ in results) == ["error", "error", "error", "error", "ok"]
    assert all("paid in full" in str(error) for kind, error in results if kind == "error")
    assert Payment.objects.count() == 1
    assert LifecycleEvent.objects.filter(to_status="paid").count() == 1


def test_a_payment_and_a_cancellation_at_once_never_both_happen(invoice):
    cancel = lambda: services.invoice_cancel(invoice=invoice, reason="Wrong address")  # noqa: E731

    results = run_at_once([full_payment(invoice, "SEPA 1"), cancel])

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert Payment.objects.exists() != CancellationNote.objects.exists()
