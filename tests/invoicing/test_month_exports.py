"""The month's invoices as XLSX, the spec's period JSON and a ZIP of its PDFs; hostile cells inert."""

import hashlib
import io
import json
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from invoicing import exports
from invoicing.models import Invoice, PdfState
from tests.database_guards import draft, issue
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db


def store_pdf(invoice: Invoice, content: bytes) -> Invoice:
    name = default_storage.save(f"invoices/test/{invoice.pk}.pdf", ContentFile(content))
    Invoice.objects.filter(pk=invoice.pk).update(
        pdf_state=PdfState.RENDERED, pdf_file=name, pdf_sha256=hashlib.sha256(content).hexdigest()
    )
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def hostile(period):
    """An issued invoice whose house id a spreadsheet would run as a formula."""
    house = HouseFactory(community=period.community, house_id="=HYPERLINK(1)")
    invoice = issue(draft(period, house))
    invoice.refresh_from_db()
    return invoice


def export(*args) -> str:
    out = StringIO()
    call_command("export_invoices", "--community", "sonnenfeld", "--period", "2026-01", *args, stdout=out)
    return out.getvalue()


def test_csv_neutralises_a_hostile_house_id(hostile):
    assert export("--format", "csv").splitlines()[1].startswith("INV-2026-001,'=HYPERLINK(1),")


def test_xlsx_has_the_spec_columns_numbers_as_numbers_and_inert_text(hostile, tmp_path):
    target = tmp_path / "invoices.xlsx"

    export("--format", "xlsx", "--output", str(target))

    sheet = load_workbook(target).active
    header, row = ([cell.value for cell in cells] for cells in sheet.iter_rows(max_row=2))
    assert header == list(exports.SPEC_FIELDS)
    assert row[:2] == ["INV-2026-001", "'=HYPERLINK(1)"]
    assert row[4:9] == [450.5, 120.3, 9010, 3007.5, 6002.5]


def test_json_is_the_spec_period_object_with_its_invoices(hostile):
    exported = export("--format", "json")

    period = json.loads(exported)
    assert list(period) == ["period_id", "start", "end", "status", "invoices"]
    assert (period["period_id"], period["end"], period["status"]) == ("2026-01", "2026-01-31T23:59:59Z", "open")
    assert [invoice["house_id"] for invoice in period["invoices"]] == ["=HYPERLINK(1)"]
    assert '"import_cost_ct": 3007.5,' in exported


def test_binary_formats_need_an_output_file(hostile):
    with pytest.raises(CommandError, match="give --output FILE"):
        export("--format", "zip")


def test_zip_holds_every_rendered_pdf_of_the_month(period, tmp_path):
    first = store_pdf(issue(draft(period)), b"%PDF first")
    second_house = HouseFactory(community=period.community, house_id="house_2")
    issue(draft(period, second_house), number="INV-2026-002")  # still rendering: not in the archive
    target = tmp_path / "pdfs.zip"

    export("--format", "zip", "--output", str(target))

    archive = zipfile.ZipFile(target)
    assert archive.namelist() == [f"{first.number}.pdf"]
    assert archive.read(f"{first.number}.pdf") == b"%PDF first"


def test_zip_is_refused_before_writing_when_a_stored_pdf_was_altered(period):
    invoice = store_pdf(issue(draft(period)), b"%PDF original")
    with default_storage.open(invoice.pdf_file.name, "wb") as stored:
        stored.write(b"%PDF altered")

    with pytest.raises(Exception, match="does not match the SHA-256"):
        exports.month_pdfs_zip(period=period)


def test_zip_of_the_month_is_streamed_in_pieces(period):
    invoice = store_pdf(issue(draft(period)), bytes(range(256)) * 4096)

    chunks = list(exports.month_pdfs_zip(period=period))

    assert len(chunks) > 1
    assert zipfile.ZipFile(io.BytesIO(b"".join(chunks))).read(f"{invoice.number}.pdf") == bytes(range(256)) * 4096
