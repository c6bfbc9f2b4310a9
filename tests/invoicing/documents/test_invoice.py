"""PDF invoices and cancellations, read back with pypdf. Pure rendering: no database."""

import dataclasses
import datetime as dt
import hashlib
import io
from decimal import Decimal

import pypdf
import pytest
from fontTools.ttLib import TTFont

from invoicing.documents import (
    AssetRefused,
    DailyEnergy,
    DocumentLine,
    InvoiceDocument,
    Letterhead,
    Party,
    TariffTerms,
    render_html,
    render_pdf,
    render_pdfs,
    static_asset_fetcher,
)
from invoicing.documents.engine import ASSETS_ROOT

OCTOBER_1 = dt.date(2026, 10, 1)
OCTOBER_31 = dt.date(2026, 10, 31)


def spec_invoice(**changes) -> InvoiceDocument:
    """The spec's example: 450.5 kWh out at 20 ct, 120.3 kWh in at 25 ct -> 9010 - 3007.5 = 6002.5 ct."""
    document = InvoiceDocument(
        kind="invoice",
        number="INV-2026-007",
        issue_date=dt.date(2026, 11, 3),
        month="2026-10",
        period_first_day=OCTOBER_1,
        period_last_day=OCTOBER_31,
        letterhead=Letterhead(
            legal_name="Sonnenstrom Energiegemeinschaft eG",
            address="Hauptstraße 1\n12345 Sonnendorf",
            contact_email="abrechnung@sonnenstrom.example",
            contact_phone="+49 30 1234567",
        ),
        recipient=Party(name="Jürgen Größ", address="Sonnenweg 3\n12345 Sonnendorf"),
        house_id="H-007",
        house_name="Jürgen Größ, Sonnenweg 3",
        lines=(
            DocumentLine(
                segment_start=OCTOBER_1,
                segment_end=OCTOBER_31,
                exported_kwh=Decimal("450.5"),
                p_pv_ct_per_kwh=Decimal("20"),
                export_revenue_ct=Decimal("9010"),
                imported_kwh=Decimal("120.3"),
                p_con_ct_per_kwh=Decimal("25"),
                import_cost_ct=Decimal("3007.5"),
            ),
        ),
        energy_exported_kwh=Decimal("450.5"),
        energy_imported_kwh=Decimal("120.3"),
        export_revenue_ct=Decimal("9010"),
        import_cost_ct=Decimal("3007.5"),
        net_amount_ct=Decimal("6002.5"),
        tariff=TariffTerms(
            p_pv=Decimal("20"), p_con=Decimal("25"), p_grid_del=Decimal("8"), p_grid_con=Decimal("30.5")
        ),
        daily=tuple(
            DailyEnergy(
                day=OCTOBER_1 + dt.timedelta(days=i), exported_kwh=Decimal("14.5"), imported_kwh=Decimal("3.875")
            )
            for i in range(31)
        ),
    )
    return dataclasses.replace(document, **changes)


def pdf_text(pdf: bytes) -> str:
    """The text of every page, no-break spaces read as spaces."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def flat(text: str) -> str:
    """Words in order, whatever line a table cell wrapped them onto."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def invoice_pdf() -> bytes:
    return render_pdf(spec_invoice())


@pytest.fixture(scope="module")
def invoice_text(invoice_pdf) -> str:
    return pdf_text(invoice_pdf)


def test_invoice_shows_number_issue_date_and_period(invoice_text):
    assert "INV-2026-007" in invoice_text
    assert "3 November 2026" in invoice_text
    assert "1 October 2026 \u2013 31 October 2026" in flat(invoice_text)


def test_invoice_shows_energies_prices_and_line_amounts_in_euros(invoice_text):
    for expected in ("450.500 kWh", "20.00 ct/kWh", "€90.10", "120.300 kWh", "25.00 ct/kWh", "-€30.08"):
        assert expected in invoice_text


def test_amount_column_counts_import_costs_against_the_member_for_either_sign():
    # Given a cancellation whose amounts are the original's negated
    cancellation = spec_invoice(
        kind="cancellation",
        number="CN-2026-001",
        refers_to="INV-2026-007",
        lines=[
            dataclasses.replace(
                spec_invoice().lines[0], export_revenue_ct=Decimal("-9010"), import_cost_ct=Decimal("-3007.5")
            )
        ],
        export_revenue_ct=Decimal("-9010"),
        import_cost_ct=Decimal("-3007.5"),
        net_amount_ct=Decimal("-6002.5"),
    )

    # When rendered, the reversed cost shows as a plain positive amount (no double minus)
    text = pdf_text(render_pdf(cancellation))

    assert "-€90.10" in text
    assert " €30.08" in text or "\n€30.08" in text
    assert "--" not in text and "\u2212-" not in text


def test_positive_net_is_rounded_half_up_and_paid_to_the_house(invoice_text):
    # 6002.5 ct rounds half up to 6003 ct
    assert "Total €60.03" in invoice_text
    assert "We pay you €60.03" in invoice_text
    assert "Please transfer" not in invoice_text


def test_negative_net_is_owed_by_the_house():
    text = pdf_text(render_pdf(spec_invoice(net_amount_ct=Decimal("-1234.5"))))
    assert "Please transfer €12.35, quoting INV-2026-007." in flat(text)
    assert "We pay you" not in text


def test_zero_net_says_nothing_to_pay():
    text = pdf_text(render_pdf(spec_invoice(net_amount_ct=Decimal("0.4"))))
    assert "Nothing to pay." in text


def test_all_four_tariff_prices_are_shown(invoice_text):
    for expected in ("20.00 ct/kWh", "25.00 ct/kWh", "8.00 ct/kWh", "30.50 ct/kWh"):
        assert expected in invoice_text


def test_letterhead_member_and_house_names_keep_their_umlauts(invoice_text):
    assert "Sonnenstrom Energiegemeinschaft eG" in invoice_text
    assert "Hauptstraße 1" in invoice_text
    assert "Jürgen Größ, Sonnenweg 3" in invoice_text
    assert "Sonnenweg 3\n12345 Sonnendorf" in invoice_text


def test_invoice_fits_on_one_page(invoice_pdf):
    assert len(pypdf.PdfReader(io.BytesIO(invoice_pdf)).pages) == 1


def test_two_tariff_segments_fit_on_one_page_too():
    first, second = (
        DocumentLine(
            OCTOBER_1,
            dt.date(2026, 10, 14),
            Decimal("200"),
            Decimal("20"),
            Decimal("4000"),
            Decimal("50"),
            Decimal("25"),
            Decimal("1250"),
        ),
        DocumentLine(
            dt.date(2026, 10, 15),
            OCTOBER_31,
            Decimal("250.5"),
            Decimal("22"),
            Decimal("5511"),
            Decimal("70.3"),
            Decimal("26"),
            Decimal("1827.8"),
        ),
    )
    pdf = render_pdf(spec_invoice(lines=(first, second)))
    text = pdf_text(pdf)
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "€55.11" in text and "-€18.28" in text and "14 Oct 2026" in text


def test_cancellation_names_itself_and_the_invoice_it_cancels():
    cancellation = spec_invoice(
        kind="cancellation",
        number="CN-2026-001",
        refers_to="INV-2026-007",
        reason="Wrong meter assigned",
        energy_exported_kwh=Decimal("-450.5"),
        energy_imported_kwh=Decimal("-120.3"),
        export_revenue_ct=Decimal("-9010"),
        import_cost_ct=Decimal("-3007.5"),
        net_amount_ct=Decimal("-6002.5"),
    )
    text = flat(pdf_text(render_pdf(cancellation)))
    assert "Cancellation note CN-2026-001" in text
    assert "This note cancels invoice INV-2026-007 in full." in text
    assert "Reason: Wrong meter assigned" in text
    assert "Total reversed -€60.03" in text


def test_cancellation_without_the_original_number_is_refused():
    with pytest.raises(ValueError, match="refers_to"):
        spec_invoice(kind="cancellation", number="CN-2026-001")


def test_html_in_names_and_addresses_is_escaped():
    document = spec_invoice(
        recipient=Party(name="<b>Ann & Bob</b>", address="<script>x()</script>\n1 & 2 Road"),
        house_name="<i>Haus</i>",
    )

    html = render_html(document)
    text = pdf_text(render_pdf(document))

    assert "<b>Ann" not in html and "&lt;b&gt;Ann &amp; Bob&lt;/b&gt;" in html
    assert "<script>" not in html
    assert "<b>Ann & Bob</b>" in text
    assert "<script>x()</script>" in text
    assert "<i>Haus</i>" in text


@pytest.mark.parametrize("field", ["energy_exported_kwh", "net_amount_ct", "export_revenue_ct"])
def test_floats_are_refused(field):
    with pytest.raises(TypeError, match="float"):
        spec_invoice(**{field: 60.03})


def test_datetimes_are_refused_where_a_local_date_is_meant():
    with pytest.raises(TypeError, match="local date"):
        spec_invoice(issue_date=dt.datetime(2026, 11, 3, 12, 0))


def test_lists_are_stored_as_tuples():
    document = spec_invoice(lines=list(spec_invoice().lines), daily=list(spec_invoice().daily))
    assert isinstance(document.lines, tuple) and isinstance(document.daily, tuple)
    hash(document.lines)


def test_rendering_is_byte_identical(invoice_pdf):
    # The pipeline stores the SHA-256; downloading again must return the same bytes.
    again = render_pdf(spec_invoice())
    assert hashlib.sha256(again).hexdigest() == hashlib.sha256(invoice_pdf).hexdigest()


def test_batch_rendering_gives_the_same_bytes_in_order(invoice_pdf):
    second = spec_invoice(number="INV-2026-008", net_amount_ct=Decimal("-99"))
    batch = list(render_pdfs([spec_invoice(), second]))
    assert batch[0] == invoice_pdf
    assert batch[1] == render_pdf(second)
    assert "INV-2026-008" in pdf_text(batch[1])


def test_only_the_shipped_fonts_are_embedded(invoice_pdf):
    # The shipped files carry no GPOS table; the host's DejaVu does. Two fonts: regular and bold.
    reader = pypdf.PdfReader(io.BytesIO(invoice_pdf))
    embedded = []
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded.append(TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data())))
    assert len(embedded) == 2
    assert all("GPOS" not in font for font in embedded)


# --- The URL fetcher -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fetcher():
    return static_asset_fetcher()


def test_fetcher_serves_the_shipped_font(fetcher):
    font = ASSETS_ROOT / "invoicing" / "fonts" / "DejaVuSans-Invoice.ttf"
    response = fetcher.fetch(font.as_uri())
    assert response.read() == font.read_bytes()
    assert response.content_type.startswith("font/")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.css",
        "https://example.org/x.css",
        "data:text/css,body{}",
        "ftp://example.org/x.css",
        (ASSETS_ROOT / "invoicing").as_uri() + "/../../documents.py",
        (ASSETS_ROOT / "invoicing").as_uri() + "/%2E%2E/%2E%2E/documents.py",
        (ASSETS_ROOT / "invoicing").as_uri() + "/fonts/missing.ttf",
        "file://other-host" + (ASSETS_ROOT / "invoicing" / "fonts" / "LICENSE").as_posix(),
    ],
)
def test_fetcher_refuses_everything_outside_the_static_files(fetcher, url):
    with pytest.raises(AssetRefused):
        fetcher.fetch(url)


def test_a_document_asking_for_a_forbidden_url_fails_the_render(fetcher):
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    html = '<link rel="stylesheet" href="http://example.org/x.css"><p>x</p>'
    with pytest.raises(FatalURLFetchingError):
        weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
