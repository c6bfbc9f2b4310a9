"""Upgrading across invoicing 0008: invoices issued before it get their house key frozen, then guarded."""

import datetime as dt

import pytest

from invoicing.models import Invoice
from tests.database_guards import refused
from tests.migrations import issue_an_invoice_at, migrate_to

BEFORE_THE_GUARDS = [("invoicing", "0007_tariff_valid_from_local_date")]
JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def issued_before_the_guards(transactional_db):
    """An issued invoice of house_1, written through the models as they were at invoicing 0007."""
    issue_an_invoice_at(migrate_to(BEFORE_THE_GUARDS).apps)
    migrate_to()
    yield
    migrate_to()


def test_an_invoice_issued_before_the_upgrade_keeps_its_house_key(issued_before_the_guards):
    assert Invoice.objects.get().house_key == "house_1"


def test_an_invoice_issued_before_the_upgrade_is_guarded_after_it(issued_before_the_guards):
    refused("UPDATE invoicing_invoice SET house_key = 'house_9'", match="An issued invoice never changes")
