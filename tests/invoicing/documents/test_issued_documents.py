"""What an issued invoice's document says, read from the database: break-even prices as charged,
the issuer's details, the due date, and what a cancellation note cancels."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
import time_machine

from invoicing import documents, selectors, services
from invoicing.models import Invoice, Tariff
from tests.factories import HouseFactory, add_readings
from tests.invoicing.documents.test_invoice import flat, pdf_text

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def issue(period, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=False),
        time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False),
    ):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")


@pytest.fixture
def break_even_buyer(community, period, django_capture_on_commit_callbacks):
    """A break-even January: the FSD example's two intervals on 1 January, and one more on 2 January."""
    community.tariffs.update(mode=Tariff.Mode.BREAK_EVEN)
    seller, buyer = HouseFactory(community=community), HouseFactory(community=community)
    add_readings(seller, JANUARY, [("100", "0"), ("0", "1.5")])
    add_readings(buyer, JANUARY, [("0", "20"), ("0.25", "3")])
    add_readings(seller, JANUARY + DAY, [("10", "0")])
    add_readings(buyer, JANUARY + DAY, [("0", "1")])
    issue(period, django_capture_on_commit_callbacks)
    return Invoice.objects.get(house=buyer)


def test_a_break_even_invoice_prints_the_weighted_average_price_not_the_tariffs_25_ct(break_even_buyer):
    (document,) = selectors.invoice_documents(invoices=[break_even_buyer])
    average = (break_even_buyer.import_cost_ct / break_even_buyer.energy_imported_kwh).quantize(Decimal("0.0001"))

    text = flat(pdf_text(documents.render_pdf(document)))

    assert document.break_even
    assert average != Decimal("25")
    assert f"Average price for what you used {average:.4f}".rstrip("0") in text
    assert "25.00 ct/kWh" not in text


def test_a_break_even_invoice_carries_its_day_prices(break_even_buyer):
    (document,) = selectors.invoice_documents(invoices=[break_even_buyer])

    first, second = document.daily_prices
    # Weighted by the buyer's energy of each day (23 kWh, then 1 kWh), the days give the month's price.
    month = (first.p_con_ct_per_kwh * 23 + second.p_con_ct_per_kwh * 1) / 24
    assert abs(month - break_even_buyer.import_cost_ct / break_even_buyer.energy_imported_kwh) < Decimal("0.0001")
    assert (first.day, second.day) == (dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    # 0.25 kWh sold on 1 January in a short interval, at p_pv; nothing sold on 2 January: no price.
    assert (first.p_pv_ct_per_kwh, second.p_pv_ct_per_kwh) == (Decimal("20.0000"), None)


def test_a_break_even_pdf_draws_the_day_price_chart(break_even_buyer):
    (document,) = selectors.invoice_documents(invoices=[break_even_buyer])
    html = documents.render_html(document)
    assert 'class="chart price-chart"' in html and 'data-day="2026-01-02"' in html


def test_a_fixed_tariff_invoice_shows_the_tariff_and_no_price_chart(
    community, period, django_capture_on_commit_callbacks
):
    HouseFactory(community=community)
    issue(period, django_capture_on_commit_callbacks)

    (document,) = selectors.invoice_documents(invoices=[Invoice.objects.get()])

    assert not document.break_even and document.daily_prices == ()
    assert "price-chart" not in documents.render_html(document)


def test_the_document_carries_the_issuer_the_language_and_the_stored_due_date(
    community, period, django_capture_on_commit_callbacks
):
    community.tax_id, community.iban, community.bic = "DE123456789", "DE89370400440532013000", "COBADEFFXXX"
    community.bank_name, community.legal_note, community.language = "GLS Bank", "Kleinunternehmer.", "de"
    community.save()
    HouseFactory(community=community)
    issue(period, django_capture_on_commit_callbacks)
    community.payment_terms_days = 30  # changed after issue: the invoice keeps its own terms
    community.save()

    (document,) = selectors.invoice_documents(invoices=[Invoice.objects.get()])

    assert document.language == "de"
    assert (document.due_date, document.payment_terms_days) == (dt.date(2026, 2, 16), 14)
    assert (document.letterhead.tax_id, document.letterhead.iban) == ("DE123456789", "DE89370400440532013000")
    assert (document.letterhead.bic, document.letterhead.bank_name) == ("COBADEFFXXX", "GLS Bank")
    assert document.letterhead.legal_note == "Kleinunternehmer."


def test_a_cancellation_document_names_the_invoice_its_date_and_the_corrected_invoice(
    community, period, django_capture_on_commit_callbacks
):
    HouseFactory(community=community)
    issue(period, django_capture_on_commit_callbacks)
    original = Invoice.objects.get()
    with django_capture_on_commit_callbacks(execute=False):
        result = services.invoice_cancel(invoice=original, reason="Wrong meter")

    (document,) = selectors.invoice_documents(notes=[result.note])

    assert (document.refers_to, document.refers_to_date) == (original.number, dt.date(2026, 2, 2))
    assert (document.corrected_by, document.reason) == (result.corrected.number, "Wrong meter")
    assert "replaced by the corrected invoice INV-2026-002" in flat(pdf_text(documents.render_pdf(document)))


def test_a_break_even_invoice_with_both_charts_and_the_bank_details_fits_on_one_page(community, break_even_buyer):
    community.iban, community.legal_note = "DE89370400440532013000", "Not subject to VAT."
    community.save()
    (document,) = selectors.invoice_documents(invoices=[break_even_buyer])

    pdf = documents.render_pdf(document)

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "IBAN DE89 3704" in flat(pdf_text(pdf))


@pytest.fixture
def german_break_even_buyer(community, period, django_capture_on_commit_callbacks):
    """A German community's break-even January with a long cooperative name, every issuer detail and a
    member buying every day (31 bars in each of the two charts): German labels beside all of it."""
    community.language = "de"
    community.legal_name = "Bürgerenergiegenossenschaft Sonnenfeld-Hintertupfingen am Oberrhein eG"
    community.address = "Photovoltaikstraße 123a\n79098 Freiburg im Breisgau"
    community.tax_id, community.iban, community.bic = "DE123456789", "DE89370400440532013000", "COBADEFFXXX"
    community.bank_name = "Volksbank Freiburg eG"
    community.legal_note = "Gemäß § 19 UStG wird keine Umsatzsteuer berechnet (Kleinunternehmerregelung)."
    community.save()
    community.tariffs.update(mode=Tariff.Mode.BREAK_EVEN)
    seller = HouseFactory(community=community, house_id="house_1")
    buyer = HouseFactory(
        community=community,
        house_id="house_2",
        name="Sonnenblumenweg 17, Einliegerwohnung",
        owner_name="Maximiliane Müller-Lüdenscheidt",
        address="Sonnenblumenweg 17\n79100 Freiburg im Breisgau",
    )
    for day in range(31):
        add_readings(seller, JANUARY + day * DAY, [("12.5", "0"), ("0", "1.25")])
        add_readings(buyer, JANUARY + day * DAY, [("0", "9.75"), ("0.5", "2")])
    issue(period, django_capture_on_commit_callbacks)
    return Invoice.objects.get(house=buyer)


def test_a_german_break_even_invoice_stays_on_one_page(german_break_even_buyer):
    (document,) = selectors.invoice_documents(invoices=[german_break_even_buyer])

    pdf = documents.render_pdf(document)

    text = flat(pdf_text(pdf))
    assert (document.language, document.break_even, len(document.daily_prices)) == ("de", True, 31)
    assert "In diesem Monat berechnete Preise" in text and "Bankverbindung" in text
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Kleinunternehmerregelung" in flat(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())


def longest_legal_note() -> str:
    """The most a community may enter (400 characters on 4 lines), laid out to take the most room:
    two lines that each wrap once, then two short ones."""
    sentence = "Die Energiegemeinschaft ist im Genossenschaftsregister des Amtsgerichts Freiburg eingetragen. "
    wrapping = (sentence * 2)[:170]
    note = "\n".join([wrapping, wrapping, "Kleinunternehmer gemäß § 19 UStG.", ""])
    return note + "Vorstand: A. Beispiel, B. Muster"[: 400 - len(note)]


def test_the_longest_legal_note_keeps_a_german_break_even_invoice_on_one_page(german_break_even_buyer):
    community = german_break_even_buyer.community
    community.legal_note = longest_legal_note()
    community.full_clean()
    community.save()
    (document,) = selectors.invoice_documents(invoices=[german_break_even_buyer])

    pdf = documents.render_pdf(document)

    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "Vorstand" in flat(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text())
