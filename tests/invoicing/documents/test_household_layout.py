"""What a household reads on its invoice: its language, amounts that add up, who to pay and by when."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from invoicing.documents import render_html, render_pdf
from invoicing.documents.invoice_layout import printed_amounts
from tests.invoicing.documents.test_invoice import flat, pdf_text, spec_invoice

ISSUER = {
    "tax_id": "DE123456789",
    "legal_note": "Not subject to VAT: small business under section 19 UStG.",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "bank_name": "Commerzbank",
}


def household_invoice(**changes):
    document = spec_invoice()
    return dataclasses.replace(
        document,
        letterhead=dataclasses.replace(document.letterhead, **ISSUER),
        due_date=dt.date(2026, 11, 17),
        payment_terms_days=14,
        **changes,
    )


@pytest.fixture(scope="module")
def german_text() -> str:
    return flat(pdf_text(render_pdf(household_invoice(language="de"))))


@pytest.fixture(scope="module")
def english_text() -> str:
    return flat(pdf_text(render_pdf(household_invoice())))


def test_german_documents_write_euros_energy_and_dates_the_german_way(german_text):
    assert "60,03 €" in german_text
    assert "450,500 kWh" in german_text and "25,00 ct/kWh" in german_text
    assert "3. November 2026" in german_text and "1. Oktober 2026" in german_text


def test_english_documents_put_the_euro_sign_first(english_text):
    assert "€60.03" in english_text and "EUR" not in english_text


def test_printed_lines_add_up_to_the_printed_total_with_a_rounding_line(english_text):
    # 9010 ct and -3007.5 ct print as €90.10 and -€30.08 (half up, away from zero): €60.02;
    # the exact net 6002.5 ct rounds to €60.03, so a rounding line of €0.01 closes the gap.
    assert "€90.10" in english_text and "-€30.08" in english_text
    assert "Rounding to whole cents €0.01" in english_text
    assert "Total €60.03" in english_text


def test_no_rounding_line_when_the_lines_already_add_up():
    text = pdf_text(
        render_pdf(
            household_invoice(
                lines=[dataclasses.replace(spec_invoice().lines[0], import_cost_ct=Decimal("3007"))],
                import_cost_ct=Decimal("3007"),
                net_amount_ct=Decimal("6003"),
            )
        )
    )
    assert "Rounding" not in text


@pytest.mark.parametrize(
    ("lines", "net", "expected"),
    [
        (["9010", "-3007.5"], "6002.5", ([9010, -3008], 1, 6003)),
        (["100.4", "100.4", "100.4"], "301.2", ([100, 100, 100], 1, 301)),
        (["0.5", "-0.5"], "0", ([1, -1], 0, 0)),
    ],
)
def test_printed_amounts_always_add_up(lines, net, expected):
    cents, rounding, total = printed_amounts([Decimal(line) for line in lines], Decimal(net))
    assert sum(cents) + rounding == total
    assert (cents, rounding, total) == tuple(
        [Decimal(value) for value in part] if isinstance(part, list) else Decimal(part) for part in expected
    )


def test_issuer_tax_id_bank_account_and_legal_note_are_printed(english_text):
    assert "Tax number / VAT ID DE123456789" in english_text
    assert "IBAN DE89 3704 0044 0532 0130 00" in english_text
    assert "BIC COBADEFFXXX" in english_text and "Commerzbank" in english_text
    assert ISSUER["legal_note"] in english_text


def test_invoice_date_due_date_and_payment_terms_are_printed(english_text):
    assert "Invoice date 3 November 2026" in english_text
    assert "Due date 17 November 2026" in english_text
    assert "Payment terms 14 days from the invoice date" in english_text
    assert "We pay you €60.03 by 17 November 2026." in english_text


def test_a_member_who_owes_is_asked_to_transfer_by_the_due_date_quoting_the_number():
    text = flat(pdf_text(render_pdf(household_invoice(net_amount_ct=Decimal("-1234.5")))))
    assert "Please transfer €12.35 by 17 November 2026, quoting INV-2026-007." in text


def test_the_members_own_period_is_printed():
    joined_mid_month = household_invoice(period_first_day=dt.date(2026, 10, 17))
    assert "17 October 2026 \u2013 31 October 2026" in flat(pdf_text(render_pdf(joined_mid_month)))


def cancellation(**changes):
    return household_invoice(
        kind="cancellation",
        number="CN-2026-001",
        refers_to="INV-2026-007",
        refers_to_date=dt.date(2026, 11, 3),
        reason="Wrong meter assigned",
        net_amount_ct=Decimal("-6002.5"),
        **changes,
    )


def test_a_cancellation_note_says_which_invoice_why_and_that_a_corrected_one_follows():
    text = flat(pdf_text(render_pdf(cancellation(corrected_by="INV-2026-031"))))
    assert "This note cancels invoice INV-2026-007 of 3 November 2026 in full." in text
    assert "Reason: Wrong meter assigned" in text
    assert "replaced by the corrected invoice INV-2026-031" in text
    assert "Due date" not in text and "Please transfer" not in text


def test_a_cancellation_without_a_corrected_invoice_says_none_follows_and_money_is_refunded():
    text = flat(pdf_text(render_pdf(cancellation())))
    assert "no new invoice follows for this period" in text
    assert "we refund the amount" in text


def test_a_document_language_other_than_english_or_german_is_refused():
    with pytest.raises(ValueError, match="not 'fr'"):
        render_html(household_invoice(language="fr"))
