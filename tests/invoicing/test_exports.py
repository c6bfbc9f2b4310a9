"""Exports and documents name the house by the key frozen on the invoice, not the live house."""

import pytest

from invoicing import exports, selectors
from tests.database_guards import draft, issue, sql

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued_before_a_rename(period):
    """Issued for house_1, whose house was renamed house_9 while the invoice was still a draft."""
    invoice = draft(period)
    sql("UPDATE communities_house SET house_id = 'house_9' WHERE id = %s", [invoice.house_id])
    issue(invoice)
    invoice.refresh_from_db()
    return invoice


def test_an_export_names_the_house_as_the_invoice_does(issued_before_a_rename):
    assert exports.invoice_record(issued_before_a_rename)["house_id"] == "house_1"


def test_a_document_names_the_house_as_the_invoice_does(issued_before_a_rename):
    [document] = selectors.invoice_documents(invoices=[issued_before_a_rename])

    assert document.house_id == "house_1"
