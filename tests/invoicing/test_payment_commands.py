"""record_payment and undo_payment: the admin's payment pages from the command line, amounts in euros."""

import datetime as dt
import getpass
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from invoicing import selectors, services
from invoicing.models import Invoice, Payment
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def issued_invoice(slug="sonnenfeld") -> Invoice:
    community = CommunityFactory(slug=slug)
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community, house_id="house_1"), JANUARY, [("450.5", "120.3")])
    period = SettlementPeriodFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return period.invoices.get()


@pytest.fixture
def invoice():
    return issued_invoice()


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def record(*extra):
    return run("record_payment", "--invoice", "INV-2026-001", "--reference", "SEPA 4711", *extra)


def test_record_payment_converts_euros_to_exact_cents_and_pays(invoice):
    out = record("--amount", "60.03", "--date", "2026-02-10")

    payment = Payment.objects.get()
    assert (payment.amount_ct, payment.paid_on) == (Decimal("6003"), dt.date(2026, 2, 10))
    assert Invoice.objects.get().status == "paid"
    assert "Recorded €60.03 paid on 2026-02-10 (reference SEPA 4711) on INV-2026-001: now paid" in out


def test_record_payment_names_the_os_user_and_the_command(invoice):
    record("--amount", "20", "--date", "2026-02-10")

    assert Payment.objects.get().recorded_by_name == f"{getpass.getuser()} (record_payment command)"
    assert selectors.invoice_events(invoice=invoice).last().actor_name.endswith("(record_payment command)")


def test_record_payment_dates_default_to_today_in_the_site_zone(invoice, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with time_machine.travel(dt.datetime(2026, 2, 9, 23, 30, tzinfo=dt.UTC), tick=False):  # 00:30 on 10 Feb
        record("--amount", "60.03")

    assert Payment.objects.get().paid_on == dt.date(2026, 2, 10)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--amount", "60.031"), "euros and cents"),
        (("--amount", "61"), "more than the €60.03 outstanding"),
        (("--amount", "60.03", "--date", "10.02.2026"), "YYYY-MM-DD"),
    ],
)
def test_record_payment_refuses_with_a_message(invoice, extra, message):
    with pytest.raises(CommandError, match=message):
        record(*extra)

    assert not Payment.objects.exists()


def test_an_invoice_number_in_two_communities_needs_the_community(invoice):
    issued_invoice("bergdorf")
    with pytest.raises(CommandError, match=r"several communities \(bergdorf, sonnenfeld\); add --community"):
        record("--amount", "60.03")

    record("--amount", "60.03", "--community", "bergdorf")

    assert Payment.objects.get().invoice.community.slug == "bergdorf"


def test_undo_payment_reopens_the_invoice_with_the_reason(invoice):
    record("--amount", "60.03", "--date", "2026-02-10")

    out = run("undo_payment", "--invoice", "INV-2026-001", "--reason", "Direct debit returned")

    assert Invoice.objects.get().status == "pending"
    assert Payment.objects.get().undo_reason == "Direct debit returned"
    assert "Undid €60.03 (reference SEPA 4711) on INV-2026-001: now pending." in out


def test_undo_payment_asks_which_when_there_are_several(invoice):
    record("--amount", "10", "--date", "2026-02-10")
    record("--amount", "20", "--date", "2026-02-11")
    first = Payment.objects.order_by("pk").first()
    with pytest.raises(CommandError, match=r"has 2 payments .*choose one with --payment"):
        run("undo_payment", "--invoice", "INV-2026-001", "--reason", "Wrong")

    run("undo_payment", "--invoice", "INV-2026-001", "--reason", "Wrong", "--payment", str(first.pk))

    assert list(Payment.objects.active().values_list("amount_ct", flat=True)) == [Decimal("2000")]
