"""An invoice's due date is set when it is issued and kept by the database (invoicing 0013)."""

import datetime as dt

import pytest
import time_machine

from invoicing import services
from invoicing.models import Invoice
from tests.database_guards import draft, issue, refused
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db


def test_issue_stores_the_local_invoice_date_plus_the_payment_terms(community, period):
    # Given a Berlin community with 30 days to pay, issuing at 23:30 UTC on 1 February (00:30 in Berlin)
    community.time_zone, community.payment_terms_days = "Europe/Berlin", 30
    community.save()
    HouseFactory(community=community)

    with time_machine.travel(dt.datetime(2026, 2, 1, 23, 30, tzinfo=dt.UTC), tick=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")

    # Then the invoice date is 2 February local time, due 30 days later
    assert Invoice.objects.get().due_date == dt.date(2026, 3, 4)


def test_a_draft_has_no_due_date(community, period):
    HouseFactory(community=community)
    services.invoices_generate(period=period)
    assert Invoice.objects.get().due_date is None


def test_changing_the_terms_later_keeps_the_issued_due_date(community, period):
    HouseFactory(community=community)
    with time_machine.travel(dt.datetime(2026, 2, 2, 10, tzinfo=dt.UTC), tick=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    community.payment_terms_days = 60
    community.save()
    assert Invoice.objects.get().due_date == dt.date(2026, 2, 16)


def test_the_database_refuses_changing_an_issued_due_date(period):
    issued = issue(draft(period))
    refused(
        "UPDATE invoicing_invoice SET due_date = %s WHERE id = %s",
        ["2030-01-01", issued.pk],
        match="An issued invoice never changes",
    )
