"""The database itself refuses changing what was issued (invoicing migration 0006), whatever wrote
the SQL: each refusal is shown with raw SQL, and each legitimate change still goes through.

Both vendors raise IntegrityError: SQLite's RAISE(ABORT) is a constraint error, and the PostgreSQL
functions raise SQLSTATE 23001 (restrict_violation), class 23 like every integrity error.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from invoicing.models import (
    CancellationNote,
    Invoice,
    InvoiceNumberCounter,
    LifecycleEvent,
    StatementDocument,
)
from tests.database_guards import ISSUED_AT, draft, issue, refused, sql
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db

FROZEN = "An issued invoice never changes"


@pytest.fixture
def issued(period):
    return issue(draft(period))


def status_of(invoice: Invoice) -> str:
    return Invoice.objects.values_list("status", flat=True).get(pk=invoice.pk)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("net_amount_ct", "1"),
        ("export_revenue_ct", "1"),
        ("energy_imported_kwh", "1"),
        ("number", "INV-2026-999"),
        ("period_start", "2026-01-02 00:00:00"),
        ("recipient_name", "Someone Else"),
        ("recipient_address", "Elsewhere 1"),
        ("house_name", "Other house"),
        ("house_key", "house_9"),
        ("issued_at", "2026-03-01 00:00:00"),
    ],
)
def test_an_issued_invoice_keeps_its_content(issued, column, value):
    refused(f"UPDATE invoicing_invoice SET {column} = %s WHERE id = %s", [value, issued.pk], match=FROZEN)


def test_an_issued_invoice_keeps_its_house_period_and_community(issued, period):
    other_house = HouseFactory(community=period.community, house_id="house_2")

    refused("UPDATE invoicing_invoice SET house_id = %s", [other_house.pk], match=FROZEN)
    refused("UPDATE invoicing_invoice SET period_id = period_id + 1", match=FROZEN)
    refused("UPDATE invoicing_invoice SET community_id = community_id + 1", match=FROZEN)


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        (["pending"], "draft"),
        (["pending", "paid"], "cancelled"),
        (["pending", "paid"], "draft"),
        (["pending", "cancelled"], "pending"),
        (["pending", "cancelled"], "paid"),
    ],
)
def test_an_issued_invoice_moves_only_along_the_issued_transitions(period, path, forbidden):
    invoice = issue(draft(period))
    for status in path[1:]:
        sql("UPDATE invoicing_invoice SET status = %s WHERE id = %s", [status, invoice.pk])

    refused(
        "UPDATE invoicing_invoice SET status = %s WHERE id = %s",
        [forbidden, invoice.pk],
        match="only moves pending -> paid, paid -> pending or pending -> cancelled",
    )


@pytest.mark.parametrize("path", [["paid"], ["paid", "pending"], ["cancelled"], ["paid", "pending", "cancelled"]])
def test_the_issued_transitions_still_go_through(issued, path):
    for status in path:
        sql("UPDATE invoicing_invoice SET status = %s, updated_at = %s WHERE id = %s", [status, ISSUED_AT, issued.pk])

    assert status_of(issued) == path[-1]


def test_the_pdf_of_an_issued_invoice_is_still_stored(issued):
    sql(
        "UPDATE invoicing_invoice SET pdf_state = 'rendered', pdf_file = 'invoices/a.pdf', pdf_sha256 = 'ab', "
        "pdf_rendered_at = %s, pdf_error = '', updated_at = %s WHERE id = %s",
        [ISSUED_AT, ISSUED_AT, issued.pk],
    )

    assert Invoice.objects.get(pk=issued.pk).pdf_file.name == "invoices/a.pdf"


def test_an_issued_invoice_cannot_be_deleted(issued):
    refused("DELETE FROM invoicing_invoice", match="An issued invoice is never deleted")


def test_a_draft_and_its_lines_still_change_and_go(period):
    invoice = draft(period)

    sql("UPDATE invoicing_invoice SET net_amount_ct = 1, house_key = 'house_9' WHERE id = %s", [invoice.pk])
    sql("UPDATE invoicing_invoiceline SET export_revenue_ct = 1")
    sql("DELETE FROM invoicing_invoiceline")
    sql("DELETE FROM invoicing_invoice")

    assert not Invoice.objects.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoicing_invoiceline SET export_revenue_ct = 1",
        "DELETE FROM invoicing_invoiceline",
        "INSERT INTO invoicing_invoiceline (invoice_id, tariff_id, segment_start, segment_end, energy_exported_kwh, "
        "energy_imported_kwh, p_pv_ct_per_kwh, p_con_ct_per_kwh, export_revenue_ct, import_cost_ct) "
        "SELECT invoice_id, tariff_id, segment_end, '2026-03-01 00:00:00', 0, 0, 0, 0, 0, 0 FROM invoicing_invoiceline",
    ],
    ids=["update", "delete", "insert"],
)
def test_the_lines_of_an_issued_invoice_never_change(issued, statement):
    refused(statement, match="The lines of an issued invoice never change")


@pytest.fixture
def event(issued):
    actor = get_user_model().objects.create_user("clerk")
    return LifecycleEvent.objects.create(
        period=issued.period,
        invoice=issued,
        from_status="draft",
        to_status="pending",
        what="Issued",
        actor=actor,
        actor_name="clerk",
        at=dt.datetime(2026, 2, 2, tzinfo=dt.UTC),
        details={"number": "INV-2026-001"},
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoicing_lifecycleevent SET what = 'Paid'",
        "UPDATE invoicing_lifecycleevent SET actor_name = 'someone else'",
        "UPDATE invoicing_lifecycleevent SET at = '2026-03-01 00:00:00'",
        "UPDATE invoicing_lifecycleevent SET actor_id = NULL, to_status = 'paid'",
    ],
)
def test_a_lifecycle_event_never_changes(event, statement):
    refused(statement, match="Lifecycle events are history: they never change")


def test_a_lifecycle_event_is_never_deleted(event):
    refused("DELETE FROM invoicing_lifecycleevent", match="Lifecycle events are history: they are never deleted")


def test_deleting_a_user_keeps_the_events_they_wrote(event):
    get_user_model().objects.filter(username="clerk").delete()

    event.refresh_from_db()
    assert (event.actor, event.actor_name) == (None, "clerk")


@pytest.fixture
def counter(community):
    return InvoiceNumberCounter.objects.create(community=community, series="INV", year=2026, last_number=7)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoicing_invoicenumbercounter SET last_number = 6",
        "UPDATE invoicing_invoicenumbercounter SET last_number = 0",
        "UPDATE invoicing_invoicenumbercounter SET year = 2027",
        "UPDATE invoicing_invoicenumbercounter SET series = 'CN'",
    ],
)
def test_a_number_counter_never_goes_back(counter, statement):
    refused(statement, match="An invoice number counter never goes back")


def test_a_number_counter_is_never_deleted(counter):
    refused("DELETE FROM invoicing_invoicenumbercounter", match="An invoice number counter is never deleted")


def test_a_number_counter_still_counts_on(counter):
    sql("UPDATE invoicing_invoicenumbercounter SET last_number = last_number + 3")

    counter.refresh_from_db()
    assert counter.last_number == 10


@pytest.fixture
def note(issued):
    sql("UPDATE invoicing_invoice SET status = 'cancelled' WHERE id = %s", [issued.pk])
    return CancellationNote.objects.create(
        community=issued.community,
        cancelled_invoice=issued,
        number="CN-2026-001",
        reason="Wrong address",
        net_amount_ct=Decimal("-6002.5"),
        issued_at=dt.datetime(2026, 2, 3, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE invoicing_cancellationnote SET reason = 'Another reason'",
        "UPDATE invoicing_cancellationnote SET net_amount_ct = 0",
        "UPDATE invoicing_cancellationnote SET number = 'CN-2026-002'",
    ],
)
def test_a_cancellation_note_never_changes(note, statement):
    refused(statement, match="A cancellation note never changes")


def test_a_cancellation_note_is_never_deleted(note):
    refused("DELETE FROM invoicing_cancellationnote", match="A cancellation note is never deleted")


def test_a_cancellation_note_still_gets_its_pdf(note):
    sql("UPDATE invoicing_cancellationnote SET pdf_state = 'rendered', pdf_file = 'notes/cn.pdf', pdf_sha256 = 'ab'")

    assert CancellationNote.objects.get().pdf_file.name == "notes/cn.pdf"


@pytest.fixture
def statement(period):
    return StatementDocument.objects.create(
        period=period, content_json='{"houses": []}', frozen_at=dt.datetime(2026, 2, 3, tzinfo=dt.UTC)
    )


def test_a_frozen_statement_keeps_its_content(statement):
    refused("UPDATE invoicing_statementdocument SET content_json = '{}'", match="A closed period's statement is frozen")


def test_a_frozen_statement_is_never_deleted(statement):
    refused("DELETE FROM invoicing_statementdocument", match="A closed period's statement is never deleted")


def test_a_frozen_statement_still_gets_its_pdf(statement):
    sql("UPDATE invoicing_statementdocument SET pdf_state = 'failed', pdf_error = 'font missing'")

    assert StatementDocument.objects.get().pdf_error == "font missing"
