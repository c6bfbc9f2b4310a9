"""The German catalogue (locale/de): compiled by the set-up, used by documents and the admin."""

import datetime as dt
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from communities.catalogue import LOCALE_DIR, compile_catalogues
from invoicing import services
from invoicing.documents import render_pdf
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings
from tests.invoicing.documents.test_household_layout import household_invoice
from tests.invoicing.documents.test_invoice import flat, pdf_text
from tests.invoicing.services.test_deliveries import period, run  # noqa: F401 (fixtures)

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
GERMAN_PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
DOCUMENT_SOURCES = ("templates/invoicing/", "invoicing/documents/")


@pytest.fixture(scope="module")
def german_pdf_text() -> str:
    return flat(pdf_text(render_pdf(household_invoice(language="de"))))


def test_a_german_invoice_pdf_speaks_german(german_pdf_text):
    assert "Rechnungsnummer" in german_pdf_text and "Rechnungsdatum" in german_pdf_text
    assert "Fällig am 17. November 2026" in german_pdf_text
    assert "Zahlungsziel 14 Tage ab Rechnungsdatum" in german_pdf_text
    assert "Gesamtbetrag 60,03 €" in german_pdf_text
    assert "Wir überweisen Ihnen 60,03 € bis zum 17. November 2026." in german_pdf_text


def test_a_german_invoice_pdf_has_no_english_headings_left(german_pdf_text):
    for english in ("Invoice no.", "Due date", "Payment terms", "Total", "Bank account"):
        assert english not in german_pdf_text


@pytest.mark.django_db
def test_the_admin_index_follows_a_german_browser(admin_client):
    response = admin_client.get("/admin/", headers={"accept-language": "de"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "E-Mail-Versände" in page and "Zählerereignisse" in page
    assert "E-mail deliveries" not in page


@pytest.mark.django_db
def test_a_german_community_e_mails_its_invoice_in_german(period, run):  # noqa: F811 (fixtures)
    period.community.language = "de"
    period.community.save()

    run(services.deliveries_queue, period=period)

    [message] = mail.outbox
    assert message.subject == "Rechnung INV-2026-001 für 2026-01 von Sonnenfeld"
    assert "anbei erhalten Sie die Rechnung INV-2026-001 für 2026-01" in message.body
    assert "Mit freundlichen Grüßen" in message.body
    assert "\u00a0€" in message.body and "EUR" not in message.body  # the amount, written the German way


def _document_entries():
    with GERMAN_PO.open("rb") as po_file:
        catalogue = read_po(po_file, locale="de")
    return [
        message
        for message in catalogue
        if message.id and any(path.startswith(DOCUMENT_SOURCES) for path, _ in message.locations)
    ]


def test_every_document_and_e_mail_string_has_a_german_translation():
    entries = _document_entries()
    assert len(entries) > 50  # the PDF, the e-mails and the charts
    strings = [message.string if isinstance(message.string, tuple) else (message.string,) for message in entries]
    assert [message.id for message, texts in zip(entries, strings, strict=True) if not all(texts)] == []


def test_no_document_translation_is_left_fuzzy():
    assert [message.id for message in _document_entries() if message.fuzzy] == []


def _write_po(directory: Path, translation: str) -> Path:
    messages = directory / "de" / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    po_path = messages / "django.po"
    po_path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "Invoice"\nmsgstr "{translation}"\n',
        encoding="utf-8",
    )
    return po_path


def test_a_missing_mo_is_compiled_from_its_po(tmp_path):
    po_path = _write_po(tmp_path, "Rechnung")
    assert compile_catalogues(tmp_path) == [po_path.with_suffix(".mo")]
    assert b"Rechnung" in po_path.with_suffix(".mo").read_bytes()


def test_an_up_to_date_mo_is_left_alone(tmp_path):
    _write_po(tmp_path, "Rechnung")
    compile_catalogues(tmp_path)
    assert compile_catalogues(tmp_path) == []


def test_an_edited_po_is_compiled_again(tmp_path):
    po_path = _write_po(tmp_path, "Rechnung")
    compile_catalogues(tmp_path)
    _write_po(tmp_path, "Faktura")
    later = time.time() + 10
    os.utime(po_path, (later, later))
    assert compile_catalogues(tmp_path) == [po_path.with_suffix(".mo")]
    assert b"Faktura" in po_path.with_suffix(".mo").read_bytes()


def _catalogue():
    with GERMAN_PO.open("rb") as po_file:
        return [message for message in read_po(po_file, locale="de") if message.id]


def test_every_catalogue_entry_has_a_german_translation():
    untranslated = [
        message.id
        for message in _catalogue()
        if not all(message.string if isinstance(message.string, tuple) else (message.string,))
    ]
    assert untranslated == []


def test_no_catalogue_entry_is_left_fuzzy():
    assert [message.id for message in _catalogue() if message.fuzzy] == []


# Each page with English words of the kinds marked for translation: model names, field labels,
# help texts, choices, fieldset titles and column headings.
GERMAN_ADMIN_PAGES = {
    "/admin/": (
        ["Abrechnungszeiträume", "Häuser", "Zählerstände", "Energiegemeinschaften und Häuser", "Messdaten"],
        ["Settlement periods", "Meter readings", "Communities and houses", "Meter data", ">Invoicing<"],
    ),
    "/admin/communities/community/add/": (
        ["Briefkopf", "Zeitzone", "Zahlungsziel (Tage)", "15 Minuten", "Länge eines Messintervalls."],
        ["Letterhead", "Time zone", "Payment terms days", "15 minutes", "Length of one metering interval."],
    ),
    "/admin/communities/house/add/": (
        ["Mitgliedschaft", "Name des Mitglieds", "Aktiv ab"],
        ["Membership", "Owner name", "Active from", "Postal address, one line per line."],
    ),
    "/admin/communities/community/": (["Häuser"], ["Houses</a>", ">Invoices<"]),
    "/admin/auth/group/add/": (
        ["Darf Zahlungen erfassen und rückgängig machen", "Darf einen Abrechnungszeitraum abschließen"],
        ["Can record and undo payments", "Can close a period"],
    ),
    "/admin/invoicing/tariff/add/": (
        ["Netzpreise", "Gültig ab", "Kostendeckend"],
        ["Grid prices", "Valid from", "Break-even: house prices"],
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("url", GERMAN_ADMIN_PAGES)
def test_admin_pages_for_a_german_browser_carry_no_english_labels(admin_client, url):
    german, english = GERMAN_ADMIN_PAGES[url]
    CommunityFactory()

    page = admin_client.get(url, headers={"accept-language": "de"}).content.decode()

    assert [text for text in german if text not in page] == []
    assert [text for text in english if text in page] == []


@pytest.fixture
def january_period():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community), JANUARY, [("10", "0")])
    add_readings(HouseFactory(community=community), JANUARY, [("0", "11")])
    return SettlementPeriodFactory(community=community)


# The period page (with its statement panel), the invoice list and the readings list: column
# headings, help and search texts, and the statement's own sentences and table headings.
GERMAN_DATA_PAGES = {
    "period": (
        [
            "Abrechnungsübersicht der Energiegemeinschaft",
            "Live aus den aktuellen Zählerständen",
            "Netzeinspeisung",
            "0,45\u00a0€",  # the community result, and its bar's hover title
            "20,9091\u00a0ct/kWh",
            "10,000\u00a0kWh",
        ],
        ["Live from the current readings", "Houses&#x27; export", "Grid delivery", "Per day (", "local time", "0.45"],
    ),
    "invoices": (
        [
            "Rechnungsnummer, Haus-ID, Hausname oder Empfänger.",
            "Nummer",
            "Nettobetrag",
            "2,00\u00a0€",
            "10,000 / 0,000",
        ],
        ["Invoice number, house id", "net amount", "Net amount", " EUR", "€2", "10.000"],
    ),
    "readings": (["Anfang einer Haus-ID, z. B. house_1."], ["Start of a house id"]),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page_name", GERMAN_DATA_PAGES)
def test_period_invoice_and_reading_pages_speak_german(admin_client, january_period, page_name):
    services.invoices_generate(period=january_period)
    url = {
        "period": reverse("admin:invoicing_settlementperiod_change", args=[january_period.pk]),
        "invoices": reverse("admin:invoicing_invoice_changelist"),
        "readings": reverse("admin:metering_meterreading_changelist"),
    }[page_name]
    german, english = GERMAN_DATA_PAGES[page_name]

    page = admin_client.get(url, headers={"accept-language": "de"}).content.decode()

    assert [text for text in german if text not in page] == []
    assert [text for text in english if text in page] == []


@pytest.mark.django_db
def test_the_close_confirmation_speaks_german(admin_client, january_period):
    url = reverse("admin:invoicing_settlementperiod_changelist")

    response = admin_client.post(
        url, {"action": "close_periods", "_selected_action": [january_period.pk]}, headers={"accept-language": "de"}
    )

    page = response.content.decode()
    assert "Der Abschluss eines Abrechnungszeitraums macht seine Rechnungen endgültig:" in page
    assert "Es fehlen Zählerstände" in page and "Ja, abschließen" in page
    assert "Closing a period makes" not in page and "Readings are missing" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "button"),
    [("generate_draft_invoices", "Ja, Rechnungsentwürfe erzeugen"), ("issue_invoices", "Ja, Rechnungen ausstellen")],
)
def test_the_generate_and_issue_confirmations_ask_in_german(admin_client, january_period, action, button):
    url = reverse("admin:invoicing_settlementperiod_changelist")

    response = admin_client.post(
        url, {"action": action, "_selected_action": [january_period.pk]}, headers={"accept-language": "de"}
    )

    page = response.content.decode()
    assert f'value="{button}"' in page
    assert 'value="Yes, ' not in page and "Ja, rechnungs" not in page  # no lower-cased English or German


@pytest.mark.django_db
def test_counts_and_local_times_on_german_lists_use_german_words(admin_client, january_period):
    services.invoices_generate(period=january_period)
    german = {"accept-language": "de"}

    periods = admin_client.get(reverse("admin:invoicing_settlementperiod_changelist"), headers=german).text
    communities = admin_client.get(reverse("admin:communities_community_changelist"), headers=german).text
    period_page = admin_client.get(
        reverse("admin:invoicing_settlementperiod_change", args=[january_period.pk]), headers=german
    ).text

    assert ">2 Rechnungen</a>: " in periods and ">2 Entwürfe</a>" in periods
    assert ">2 Häuser</a>" in communities
    assert "2026-01-01 00:00 bis 2026-02-01 00:00 (UTC)" in period_page
    assert " to 2026-02-01" not in period_page


@pytest.mark.django_db
def test_a_refused_issue_explains_itself_in_german(january_period):
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        services.invoices_issue(period=january_period)

    [message] = refused.value.messages
    assert message.startswith(f"Der Abrechnungszeitraum {january_period} ist unvollständig:")
    assert "Importieren Sie die fehlenden Zählerstände oder erzwingen Sie das Ausstellen" in message
    assert "fehlen)" in message and "2.975" in message  # each house's missing intervals, German grouping


@pytest.mark.django_db
def test_forcing_without_a_reason_is_refused_in_german(january_period):
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        services.period_close_start(period=january_period, force=True, reason=" ")

    assert refused.value.messages == [
        "Ein erzwungener Abschluss braucht eine schriftliche Begründung (z. B. „Zähler von house_4 getauscht, "
        "Daten verloren“)."
    ]


@pytest.mark.django_db
def test_payment_and_cancellation_refusals_speak_german(january_period):
    services.invoices_issue(period=january_period, force=True, reason="test")
    invoice = january_period.invoices.get(net_amount_ct__gt=0)

    with translation.override("de"):
        with pytest.raises(ValidationError) as too_much:
            services.payment_record(
                invoice=invoice, paid_on=dt.date(2026, 2, 10), amount_ct=Decimal("300"), reference="SEPA"
            )
        with pytest.raises(ValidationError) as no_reason:
            services.invoice_cancel(invoice=invoice, reason="")

    assert too_much.value.messages == [
        f"3,00\u00a0€ ist mehr als die auf {invoice.number} offenen 2,00\u00a0€; erfassen Sie, was die Rechnung "
        "begleicht, und erstatten Sie den Rest dem Mitglied."
    ]
    assert no_reason.value.messages == [
        "Eine Stornierung braucht eine schriftliche Begründung (sie wird auf die Stornorechnung gedruckt)."
    ]


@pytest.mark.django_db
def test_the_invoice_page_and_the_readings_import_speak_german(admin_client, january_period):
    services.invoices_issue(period=january_period, force=True, reason="test")
    invoice = january_period.invoices.get(net_amount_ct__gt=0)
    german = {"accept-language": "de"}

    page = admin_client.get(reverse("admin:invoicing_invoice_change", args=[invoice.pk]), headers=german).text
    upload = admin_client.get(reverse("admin:metering_meterreading_import"), headers=german).text
    index = admin_client.get("/admin/", headers=german).text

    assert f"{invoice.number} ab 2026-01-01 00:00" in page and "0,00\u00a0€ von 2,00\u00a0€ erhalten" in page
    assert ">Zahlungen<" in page and ">Payments<" not in page and " from 2026-01-01" not in page
    assert "CSV oder Excel (automatisch erkannt)" in upload and "Community:" not in upload
    assert "Abrechnungsverwaltung" in index and "Billing back-office" not in index


@pytest.mark.django_db
def test_the_force_form_names_its_work_in_german(admin_client, january_period):
    url = reverse("admin:invoicing_settlementperiod_changelist")

    response = admin_client.post(
        url, {"action": "issue_invoices", "_selected_action": [january_period.pk]}, headers={"accept-language": "de"}
    )

    assert "Ausstellen, obwohl Zählerstände fehlen" in response.text
    assert "although readings are missing" not in response.text
