"""The billing verification: a clean closed month passes; each kind of tampering is found and named."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from invoicing import services
from invoicing.models import BillingCheck, Invoice, StatementDocument
from tests.database_guards import draft, issue, sql
from tests.factories import HouseFactory, SettlementPeriodFactory

pytestmark = pytest.mark.django_db


def findings() -> list[str]:
    return services.billing_verify().findings


def test_a_clean_closed_month_has_no_findings(closed_january):
    report = services.billing_verify()

    assert report.findings == []
    assert report.invoices_checked == 2


def test_a_changed_pdf_is_found_by_its_number(closed_january):
    invoice = Invoice.objects.get(number="INV-2026-002")
    default_storage.delete(invoice.pdf_file.name)
    default_storage.save(invoice.pdf_file.name, ContentFile(b"%PDF-1.7 forged"))

    (finding,) = findings()
    assert "INV-2026-002" in finding and "SHA-256" in finding


def test_a_missing_pdf_is_found(closed_january):
    default_storage.delete(Invoice.objects.get(number="INV-2026-001").pdf_file.name)

    (finding,) = findings()
    assert "INV-2026-001" in finding and "missing" in finding


def test_a_gap_in_the_number_series_is_found(closed_january, community):
    february = SettlementPeriodFactory(
        community=community,
        month="2026-02",
        start=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    issue(
        draft(february, house=HouseFactory(community=community, house_id="house_9", active_from=dt.date(2026, 2, 1))),
        number="INV-2026-004",
    )

    assert "sonnenfeld INV-2026: missing from the series: INV-2026-003" in findings()


def test_an_issued_amount_the_readings_do_not_give_is_found(closed_january, community):
    february = SettlementPeriodFactory(
        community=community,
        month="2026-02",
        start=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
    )
    issue(
        draft(february, house=HouseFactory(community=community, house_id="house_9", active_from=dt.date(2026, 2, 1))),
        number="INV-2026-003",
    )

    (finding,) = findings()
    assert finding.startswith("Invoice INV-2026-003 (house_9, 2026-02) differs: ")
    assert "net_amount_ct 6002.5000000 (recomputed 0.0000000)" in finding


def test_a_second_live_invoice_for_a_house_and_month_is_found(closed_january):
    sql("DROP INDEX one_live_invoice_per_house_and_period")  # rolled back with the test
    draft(closed_january, house=Invoice.objects.get(number="INV-2026-001").house)

    assert any("house house_1 has 2 live invoices" in finding for finding in findings())


def test_a_changed_frozen_statement_is_found(closed_january):
    """As if someone edited the stored statement behind the database's guard (off within this test)."""
    table, guard = "invoicing_statementdocument", "leg_statementdocument_update"  # its guard on SQLite
    if connection.vendor == "postgresql":
        sql("SET LOCAL session_replication_role = replica")  # no trigger fires until the test's rollback
    else:
        sql(f"DROP TRIGGER {guard}")
    statement = StatementDocument.objects.get(period=closed_january)
    sql(
        f"UPDATE {table} SET content_json = %s WHERE id = %s",
        [statement.content_json.replace("1", "2", 1), statement.pk],
    )

    assert f"Statement of {closed_january}: the frozen statement differs from the stored readings and tariffs" in (
        findings()
    )


def test_the_period_filter_leaves_other_months_out(closed_january):
    default_storage.delete(Invoice.objects.get(number="INV-2026-001").pdf_file.name)

    assert services.billing_verify(month="2026-02").findings == []


def test_the_command_passes_a_clean_month_and_keeps_the_result(closed_january, capsys):
    call_command("verify_billing", "--community", "sonnenfeld", "--period", "2026-01")

    assert "2 issued invoices checked, no findings" in capsys.readouterr().out
    assert BillingCheck.objects.get().is_clean


def test_the_command_fails_and_names_the_invoice(closed_january):
    default_storage.delete(Invoice.objects.get(number="INV-2026-002").pdf_file.name)

    with pytest.raises(CommandError, match="INV-2026-002") as error:
        call_command("verify_billing")

    assert error.value.returncode == 1
    assert BillingCheck.objects.get().findings


def test_the_nightly_schedule_runs_the_verification():
    from django_q.models import Schedule

    _, first = services.verification_schedule_ensure(run_at=dt.time(3, 30))
    _, again = services.verification_schedule_ensure(run_at=dt.time(3, 30))

    schedule = Schedule.objects.get(func="invoicing.tasks.billing_verify_task")
    assert (first, again, schedule.schedule_type) == ("created", "unchanged", Schedule.DAILY)


def test_the_schedule_command_creates_the_nightly_run(capsys):
    call_command("verify_billing", "--schedule")

    assert "Verification schedule created: daily at 03:30 UTC." in capsys.readouterr().out


def test_the_admin_index_shows_the_last_result(admin_client):
    BillingCheck.objects.create(
        ran_at=dt.datetime(2026, 2, 3, 2, 30, tzinfo=dt.UTC),
        scope="all",
        invoices_checked=2,
        findings=["PDF of INV-2026-002 (x.pdf): the file is missing"],
    )

    page = admin_client.get("/admin/").content.decode()

    assert "Billing verification" in page and "1 finding." in page and "INV-2026-002" in page
