import datetime as dt
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invoicing.models import Invoice
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPEC_INVOICE = {
    "invoice_id": "INV-2026-001",
    "house_id": "house_1",
    "period_start": "2026-01-01T00:00:00Z",
    "period_end": "2026-01-31T23:59:59Z",
    "energy_exported_kwh": 450.5,
    "energy_imported_kwh": 120.3,
    "export_revenue_ct": 9010,
    "import_cost_ct": 3007.5,
    "net_amount_ct": 6002.5,
    "status": "pending",
}


@pytest.fixture
def spec_house():
    """A house whose January readings sum to the spec's 450.5 kWh out and 120.3 kWh in."""
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    house = HouseFactory(community=community, house_id="house_1")
    noon_export = [("15.015", "0")] * 30 + [("0.05", "0")]
    night_import = [("0", "4.01")] * 30
    add_readings(house, JANUARY, noon_export + night_import)
    return house


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def issue_january() -> str:
    """The spec house's January issued from the command line (forced: it has 61 readings, not a month)."""
    return run(
        "generate_invoices",
        "--community",
        "sonnenfeld",
        "--period",
        "2026-01",
        "--issue",
        "--force",
        "--reason",
        "61 readings",
    )


def test_end_to_end_spec_invoice_as_json(spec_house):
    issue_january()

    exported = run("export_invoices", "--community", "sonnenfeld", "--period", "2026-01", "--format", "json")

    assert json.loads(exported)["invoices"] == [SPEC_INVOICE]
    assert list(json.loads(exported)["invoices"][0]) == list(SPEC_INVOICE)
    assert '"export_revenue_ct": 9010,' in exported and '"import_cost_ct": 3007.5,' in exported


def test_csv_export_has_the_spec_columns_in_order(spec_house):
    issue_january()

    exported = run("export_invoices", "--community", "sonnenfeld", "--period", "2026-01", "--format", "csv")

    assert exported.splitlines() == [
        ",".join(SPEC_INVOICE),
        "INV-2026-001,house_1,2026-01-01T00:00:00Z,2026-01-31T23:59:59Z,450.5,120.3,9010,3007.5,6002.5,pending",
    ]


def test_export_writes_a_file(spec_house, tmp_path):
    issue_january()
    target = tmp_path / "invoices.json"

    run(
        "export_invoices",
        "--community",
        "sonnenfeld",
        "--period",
        "2026-01",
        "--format",
        "json",
        "--output",
        str(target),
    )

    assert json.loads(target.read_text(encoding="utf-8"))["invoices"] == [SPEC_INVOICE]


def test_export_lists_issued_invoices_unless_drafts_are_asked_for(spec_house):
    run("generate_invoices", "--community", "sonnenfeld", "--period", "2026-01")

    issued = run("export_invoices", "--community", "sonnenfeld", "--period", "2026-01", "--format", "json")
    drafts = run("export_invoices", "--community", "sonnenfeld", "--period", "2026-01", "--format", "json", "--drafts")

    assert json.loads(issued)["invoices"] == []
    assert json.loads(drafts)["invoices"] == [{**SPEC_INVOICE, "invoice_id": None, "status": "draft"}]


def test_generate_reports_what_it_did(spec_house):
    first = run("generate_invoices", "--community", "sonnenfeld", "--period", "2026-01")
    second = run("generate_invoices", "--community", "sonnenfeld", "--period", "2026-01")

    assert "1 created" in first
    assert "0 created, 0 updated, 1 unchanged" in second
    assert Invoice.objects.count() == 1


def test_berlin_period_is_exported_in_utc():
    community = CommunityFactory(slug="berlin", time_zone="Europe/Berlin")
    TariffFactory(community=community)
    HouseFactory(community=community)
    run(
        "generate_invoices",
        "--community",
        "berlin",
        "--period",
        "2026-03",
        "--issue",
        "--force",
        "--reason",
        "some readings",
    )

    exported = run("export_invoices", "--community", "berlin", "--period", "2026-03", "--format", "json")
    (record,) = json.loads(exported)["invoices"]

    assert (record["period_start"], record["period_end"]) == ("2026-02-28T23:00:00Z", "2026-03-31T21:59:59Z")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["generate_invoices", "--community", "nowhere", "--period", "2026-01"],
            "No community with slug 'nowhere'. Known communities: sonnenfeld",
        ),
        (["generate_invoices", "--community", "sonnenfeld", "--period", "2026-1"], "not of the form YYYY-MM"),
        (
            ["export_invoices", "--community", "sonnenfeld", "--period", "2025-07", "--format", "csv"],
            "has no period 2025-07",
        ),
        (["export_invoices", "--community", "sonnenfeld", "--period", "2026-13", "--format", "csv"], "YYYY-MM"),
    ],
)
def test_bad_input_is_a_clear_command_error(spec_house, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args)


def test_missing_tariff_is_a_clear_command_error():
    CommunityFactory(slug="untariffed")

    with pytest.raises(CommandError, match="No tariff is in force"):
        call_command("generate_invoices", "--community", "untariffed", "--period", "2026-01")


def test_commands_exit_non_zero_on_bad_input(spec_house):
    result = subprocess.run(
        [sys.executable, "manage.py", "export_invoices", "--community", "x", "--period", "2026-01", "--format", "xml"],
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "invalid choice: 'xml'" in result.stderr
