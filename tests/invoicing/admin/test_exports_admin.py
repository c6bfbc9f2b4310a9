"""Exports from the admin: the invoice list's export, the period page's downloads, the statement's XLSX."""

import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import translation
from import_export.admin import ExportMixin
from openpyxl import load_workbook

from core import spreadsheets
from invoicing.exports import SPEC_FIELDS
from invoicing.models import Invoice, PdfState, Tariff
from tests.database_guards import draft, issue
from tests.factories import HouseFactory, member_of

pytestmark = pytest.mark.django_db

INVOICE_EXPORT_URL = reverse("admin:invoicing_invoice_export")
GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}


@pytest.fixture
def hostile(period):
    """An issued invoice of a house whose id a spreadsheet would run as a formula, its PDF stored."""
    invoice = issue(draft(period, HouseFactory(community=period.community, house_id="=HYPERLINK(1)")))
    content = b"%PDF hostile"
    name = default_storage.save(f"invoices/test/{invoice.pk}.pdf", ContentFile(content))
    Invoice.objects.filter(pk=invoice.pk).update(
        pdf_state=PdfState.RENDERED, pdf_file=name, pdf_sha256=hashlib.sha256(content).hexdigest()
    )
    return invoice


def export_form(file_format: int) -> dict:
    return {"format": str(file_format), "resource": "0", **{f"invoiceresource_{name}": True for name in SPEC_FIELDS}}


def test_invoice_list_exports_csv_with_the_spec_names_inert_cells_and_a_decimal_point(admin_client, hostile):
    response = admin_client.post(INVOICE_EXPORT_URL, export_form(0), **GERMAN)

    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(SPEC_FIELDS)
    assert lines[1] == (
        "INV-2026-001,'=HYPERLINK(1),2026-01-01T00:00:00Z,2026-01-31T23:59:59Z,450.5,120.3,9010,3007.5,6002.5,pending"
    )


def test_invoice_list_exports_xlsx_with_number_cells(admin_client, hostile):
    response = admin_client.post(INVOICE_EXPORT_URL, export_form(1), **GERMAN)

    sheet = load_workbook(io.BytesIO(response.content)).active
    row = [cell.value for cell in sheet[2]]
    assert row[1] == "'=HYPERLINK(1)"
    assert row[4:9] == [450.5, 120.3, 9010, 3007.5, 6002.5]


def login(client, *codenames, community=None):
    """A staff user with only ``codenames``, managing ``community`` when given."""
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    if community is not None:
        member_of(user, community)
    client.force_login(user)
    return client


def test_exporting_invoices_needs_their_view_permission(client, hostile):
    assert login(client).post(INVOICE_EXPORT_URL, export_form(0)).status_code == 403


def test_a_user_who_may_view_invoices_may_export_them(client, hostile):
    assert login(client, "view_invoice").post(INVOICE_EXPORT_URL, export_form(0)).status_code == 200


def period_download(period, output_format):
    return reverse("admin:invoicing_settlementperiod_invoices_export", args=[period.pk, output_format])


def test_the_period_page_has_the_download_buttons(admin_client, hostile):
    page = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[hostile.period_id]))

    for output_format in ("csv", "xlsx", "json", "zip"):
        assert period_download(hostile.period, output_format) in page.content.decode()


@pytest.mark.parametrize(
    ("output_format", "expected"), [("csv", b"'=HYPERLINK(1)"), ("json", b'"period_id": "2026-01"')]
)
def test_the_period_downloads_its_invoices(admin_client, hostile, output_format, expected):
    response = admin_client.get(period_download(hostile.period, output_format), **GERMAN)

    assert response["Content-Disposition"] == f'attachment; filename="invoices-sonnenfeld-2026-01.{output_format}"'
    assert expected in response.content and b"3007.5" in response.content


def test_the_period_downloads_its_drafts_on_request(admin_client, period):
    draft(period)

    response = admin_client.get(period_download(period, "csv") + "?drafts=1")

    assert response.content.decode().splitlines()[1].startswith(",house_1,")


def test_the_period_streams_its_pdfs_as_a_zip(admin_client, hostile):
    response = admin_client.get(period_download(hostile.period, "zip"))

    assert response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.read("INV-2026-001.pdf") == b"%PDF hostile"


def test_period_downloads_need_the_invoices_view_permission(client, hostile):
    client = login(client, "view_settlementperiod", community=hostile.community)

    assert client.get(period_download(hostile.period, "csv")).status_code == 403
    assert client.get(period_download(hostile.period, "zip")).status_code == 403


def test_the_statement_downloads_as_xlsx(admin_client, period):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:2] == ["day", "exported_kwh"]
    assert sheet.cell(row=sheet.max_row, column=1).value == "total"


def test_every_admin_export_uses_the_spreadsheet_safe_formats(rf):
    """Houses, readings, invoices and whatever else offers import-export's Export button."""
    exporting = [
        model_admin for model_admin in admin.site._registry.values() if hasattr(model_admin, "get_export_formats")
    ]

    assert exporting
    for model_admin in exporting:
        formats = model_admin.get_export_formats()
        assert formats and set(formats) <= set(spreadsheets.EXPORT_FORMATS), type(model_admin).__name__


class TariffExportAdmin(ExportMixin, admin.ModelAdmin):
    """Any model's export as the admin writes it: import-export's generic resource, no dehydrate methods."""


@pytest.mark.parametrize("file_format", [spreadsheets.SafeCSV, spreadsheets.NativeJSON])
def test_a_generic_admin_export_writes_a_decimal_point_for_a_german_user(rf, admin_user, community, file_format):
    Tariff.objects.filter(community=community).update(p_pv_ct_per_kwh=Decimal("20.5"))
    request = rf.post("/")
    request.user = admin_user
    model_admin = TariffExportAdmin(Tariff, admin.site)

    with translation.override("de"):
        data = model_admin.get_export_data(file_format(), request, Tariff.objects.all())

    assert "20.5" in data and "20,5" not in data
