"""Past due: unpaid issued invoices after the local issue date plus the community's payment terms."""

import datetime as dt

import pytest
import time_machine

from communities.models import Community
from invoicing import selectors, services
from invoicing.models import Invoice
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def issued_invoice(slug: str, *, issued_at: dt.datetime, terms_days: int = 14, time_zone: str = "UTC") -> Invoice:
    community = CommunityFactory(slug=slug, payment_terms_days=terms_days, time_zone=time_zone)
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community), JANUARY, [("0", "1")])
    period = services.period_get_or_create(community=community, month="2026-01")
    with time_machine.travel(issued_at, tick=False):
        services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get(period=period)


def past_due(at: dt.datetime) -> list[Invoice]:
    return list(selectors.invoices_past_due(communities=Community.objects.all(), now=at))


def test_an_invoice_is_due_on_its_last_day_and_past_due_the_day_after():
    invoice = issued_invoice("a", issued_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC))  # due 16 February

    assert past_due(dt.datetime(2026, 2, 16, 23, 59, tzinfo=dt.UTC)) == []
    assert past_due(dt.datetime(2026, 2, 17, 0, 0, tzinfo=dt.UTC)) == [invoice]


def test_the_issue_date_and_today_are_the_communitys_local_days():
    # 23:30 UTC on 1 February is 00:30 on the 2nd in Berlin: due 16 February, Berlin time.
    invoice = issued_invoice(
        "berlin", issued_at=dt.datetime(2026, 2, 1, 23, 30, tzinfo=dt.UTC), time_zone="Europe/Berlin"
    )

    assert past_due(dt.datetime(2026, 2, 16, 22, 59, tzinfo=dt.UTC)) == []
    assert past_due(dt.datetime(2026, 2, 16, 23, 0, tzinfo=dt.UTC)) == [invoice]


def test_each_community_has_its_own_payment_terms():
    issued = dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC)
    short = issued_invoice("short", issued_at=issued, terms_days=7)
    issued_invoice("long", issued_at=issued, terms_days=30)

    assert past_due(dt.datetime(2026, 2, 20, tzinfo=dt.UTC)) == [short]


def test_a_paid_invoice_is_never_past_due():
    invoice = issued_invoice("a", issued_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC))
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)

    assert past_due(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)) == []


def test_no_communities_no_invoices():
    issued_invoice("a", issued_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC))

    assert list(selectors.invoices_past_due(communities=[], now=dt.datetime(2026, 6, 1, tzinfo=dt.UTC))) == []


def test_the_printed_due_date_decides_though_the_terms_changed_since():
    invoice = issued_invoice("a", issued_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), terms_days=14)
    Community.objects.filter(pk=invoice.community_id).update(payment_terms_days=60)

    assert invoice.due_date == dt.date(2026, 2, 16)
    assert past_due(dt.datetime(2026, 2, 17, tzinfo=dt.UTC)) == [invoice]
