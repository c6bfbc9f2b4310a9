"""Upgrading across invoicing 0005: the renamed columns keep their values and their constraints."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from invoicing.models import Invoice, SettlementPeriod
from tests.migrations import issue_an_invoice_at, migrate_to

BEFORE_RENAME = [("invoicing", "0004_statement_document")]
JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def issued_before_the_rename(transactional_db):
    """An issued invoice of 2026-01, written through the models as they were at invoicing 0004."""
    issue_an_invoice_at(migrate_to(BEFORE_RENAME).apps, number_field="invoice_id", month_field="period_id")
    migrate_to()
    yield
    migrate_to()


def test_the_number_and_the_month_keep_their_values(issued_before_the_rename):
    invoice = Invoice.objects.select_related("period").get()

    assert (invoice.number, invoice.period.month) == ("INV-2026-001", "2026-01")


def test_the_database_still_refuses_an_issued_invoice_without_a_number(issued_before_the_rename):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoice SET number = NULL")


def test_the_database_still_refuses_a_second_period_for_the_month(issued_before_the_rename):
    period = SettlementPeriod.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementPeriod.objects.create(community=period.community, month="2026-01", start=JANUARY, end=FEBRUARY)
