import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from invoicing import services
from invoicing.models import Invoice, InvoiceNumberCounter, SettlementPeriod
from metering.models import FrozenMeterDataError
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    TariffFactory,
    add_readings,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_issue_numbers_drafts_in_house_order(community, period):
    for house_id in ["house_2", "house_1", "house_3"]:
        HouseFactory(community=community, house_id=house_id)

    report = services.invoices_issue(period=period)

    numbered = list(Invoice.objects.order_by("number").values_list("number", "house__house_id", "status"))
    assert numbered == [
        ("INV-2026-001", "house_1", "pending"),
        ("INV-2026-002", "house_2", "pending"),
        ("INV-2026-003", "house_3", "pending"),
    ]
    assert report.issued_numbers == ["INV-2026-001", "INV-2026-002", "INV-2026-003"]
    assert Invoice.objects.filter(issued_at__isnull=True).count() == 0


def test_numbers_continue_across_periods_of_the_same_year(community, period):
    HouseFactory(community=community)
    services.invoices_issue(period=period)
    february = services.period_get_or_create(community=community, month="2026-02")

    services.invoices_issue(period=february)

    assert list(Invoice.objects.order_by("number").values_list("number", flat=True)) == [
        "INV-2026-001",
        "INV-2026-002",
    ]


def test_numbers_restart_each_year_and_per_community(community):
    HouseFactory(community=community)
    other = CommunityFactory(slug="other", invoice_prefix="SOL")
    TariffFactory(community=other)
    HouseFactory(community=other)

    for target, month in [(community, "2026-12"), (community, "2027-01"), (other, "2026-12")]:
        services.invoices_issue(period=services.period_get_or_create(community=target, month=month))

    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-2026-001",
        "INV-2027-001",
        "SOL-2026-001",
    ]


def test_issuing_twice_issues_nothing_new(community, period):
    HouseFactory(community=community)
    services.invoices_issue(period=period)

    report = services.invoices_issue(period=period)

    assert report.issued_numbers == []
    assert report.generation.already_issued == 1
    assert InvoiceNumberCounter.objects.get().last_number == 1


def test_issued_invoices_are_not_regenerated(community, period):
    house = HouseFactory(community=community, owner_name="Jörg Müller")
    add_readings(house, JANUARY, [("1", "0")])
    services.invoices_issue(period=period)
    house.owner_name = "Anna Schmidt"
    house.save()

    report = services.invoices_generate(period=period)

    assert report.already_issued == 1
    assert Invoice.objects.get().recipient_name == "Jörg Müller"


def test_issue_uses_current_readings(community, period):
    house = HouseFactory(community=community)
    services.invoices_generate(period=period)
    add_readings(house, JANUARY, [("7", "0")])

    services.invoices_issue(period=period)

    assert Invoice.objects.get().energy_exported_kwh == Decimal("7")


def test_a_rolled_back_issue_uses_up_no_number(community, period):
    HouseFactory(community=community)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.invoices_issue(period=period)
        raise RuntimeError("crash after numbering")
    services.invoices_issue(period=period)

    assert Invoice.objects.get().number == "INV-2026-001"


@pytest.mark.django_db(transaction=True)
def test_numbers_are_allocated_only_inside_a_transaction(community):
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        services.invoice_numbers_allocate(community=community, series="INV", year=2026, count=1)


def test_closed_period_is_refused(community, period):
    period.status = SettlementPeriod.Status.CLOSED
    period.save()

    with pytest.raises(ValidationError, match="is closed"):
        services.invoices_generate(period=period)


def test_two_live_invoices_for_one_house_and_period_are_impossible(community, period):
    HouseFactory(community=community)
    services.invoices_generate(period=period)
    duplicate = Invoice.objects.get()
    duplicate.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_number_without_issue_is_impossible(community, period):
    HouseFactory(community=community)
    services.invoices_generate(period=period)

    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.update(number="INV-2026-999")


def test_issuing_freezes_the_months_meter_data(community, period):
    house = HouseFactory(community=community)
    services.invoices_issue(period=period)

    with pytest.raises(FrozenMeterDataError):
        add_readings(house, JANUARY, [("1", "0")])
