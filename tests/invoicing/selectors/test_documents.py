"""What an invoice document prints for a house that joined mid-month: its own days, not the month."""

import datetime as dt
from decimal import Decimal

import pytest

from invoicing import documents, selectors, services
from invoicing.models import Invoice
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db


@pytest.fixture
def joined_on_17_march(django_capture_on_commit_callbacks):
    """An issued March 2026 invoice of a Berlin house that joined on 17 March; prices changed on 10 March."""
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin)
    TariffFactory(community=berlin, valid_from=dt.date(2026, 3, 10), p_pv_ct_per_kwh=Decimal("10"))
    house = HouseFactory(community=berlin, active_from=dt.date(2026, 3, 17))
    add_readings(house, dt.datetime(2026, 3, 16, 23, tzinfo=dt.UTC), [("1", "0")])
    march = services.period_get_or_create(community=berlin, month="2026-03")
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(period=march, force=True, reason="test data has gaps")
    return Invoice.objects.get()


def test_the_document_period_is_the_house_membership_days(joined_on_17_march):
    (document,) = selectors.invoice_documents(invoices=[joined_on_17_march])

    assert (document.period_first_day, document.period_last_day) == (dt.date(2026, 3, 17), dt.date(2026, 3, 31))


def test_the_document_lines_start_when_the_house_joined(joined_on_17_march):
    (document,) = selectors.invoice_documents(invoices=[joined_on_17_march])

    assert [(line.segment_start, line.segment_end, line.p_pv_ct_per_kwh) for line in document.lines] == [
        (dt.date(2026, 3, 17), dt.date(2026, 3, 31), Decimal("10"))
    ]


def test_the_pdf_reads_17_to_31_march(joined_on_17_march):
    (document,) = selectors.invoice_documents(invoices=[joined_on_17_march])

    assert "17 March 2026 \u2013 31 March 2026" in documents.render_html(document)
