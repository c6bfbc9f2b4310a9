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
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    return community


@pytest.fixture
def period(community):
    return SettlementPeriodFactory(community=community)


def test_generation_sums_readings_and_prices_them(community, period):
    house = HouseFactory(community=community)
    add_readings(house, JANUARY, [("200.25", "60.1"), ("250.25", "60.2")])

    report = services.invoices_generate(period=period)

    invoice = Invoice.objects.get()
    assert report.created == 1
    assert invoice.status == Invoice.Status.DRAFT and invoice.invoice_id is None
    assert invoice.energy_exported_kwh == Decimal("450.5")
    assert invoice.energy_imported_kwh == Decimal("120.3")
    assert invoice.export_revenue_ct == Decimal("9010")
    assert invoice.import_cost_ct == Decimal("3007.5")
    assert invoice.net_amount_ct == Decimal("6002.5")


def test_readings_outside_the_period_are_not_billed(community, period):
    house = HouseFactory(community=community)
    add_readings(house, JANUARY - dt.timedelta(minutes=15), [("1", "1"), ("2", "2")])
    add_readings(house, dt.datetime(2026, 2, 1, tzinfo=dt.UTC), [("5", "5")])

    services.invoices_generate(period=period)

    invoice = Invoice.objects.get()
    assert (invoice.energy_exported_kwh, invoice.energy_imported_kwh) == (Decimal("2"), Decimal("2"))


def test_generation_twice_changes_nothing(community, period):
    add_readings(HouseFactory(community=community), JANUARY, [("1.5", "0.25")])
    services.invoices_generate(period=period)
    before = list(Invoice.objects.values())

    report = services.invoices_generate(period=period)

    assert (report.created, report.updated, report.unchanged, report.deleted) == (0, 0, 1, 0)
    assert list(Invoice.objects.values()) == before


def test_regeneration_refreshes_a_draft_after_new_readings(community, period):
    house = HouseFactory(community=community)
    add_readings(house, JANUARY, [("1", "0")])
    services.invoices_generate(period=period)
    add_readings(house, JANUARY + dt.timedelta(hours=1), [("2", "0")])

    report = services.invoices_generate(period=period)

    assert report.updated == 1
    assert Invoice.objects.get().energy_exported_kwh == Decimal("3")
    assert Invoice.objects.get().lines.get().energy_exported_kwh == Decimal("3")


def test_house_without_readings_gets_a_zero_invoice(community, period):
    HouseFactory(community=community)

    services.invoices_generate(period=period)

    invoice = Invoice.objects.get()
    assert invoice.net_amount_ct == 0 and invoice.energy_exported_kwh == 0 and invoice.energy_imported_kwh == 0


def test_inactive_houses_are_skipped(community, period):
    HouseFactory(
        community=community, house_id="left", active_from=dt.date(2020, 1, 1), active_until=dt.date(2025, 12, 31)
    )
    HouseFactory(community=community, house_id="joins_later", active_from=dt.date(2026, 2, 1))
    HouseFactory(community=community, house_id="joins_mid_month", active_from=dt.date(2026, 1, 20))
    HouseFactory(community=community, house_id="leaves_on_first", active_until=dt.date(2026, 1, 1))

    services.invoices_generate(period=period)

    assert sorted(Invoice.objects.values_list("house__house_id", flat=True)) == ["joins_mid_month", "leaves_on_first"]


def test_draft_of_a_house_that_is_no_longer_active_is_removed(community, period):
    house = HouseFactory(community=community)
    services.invoices_generate(period=period)
    house.active_from = dt.date(2026, 3, 1)
    house.save()

    report = services.invoices_generate(period=period)

    assert report.deleted == 1
    assert not Invoice.objects.exists()


def test_tariff_change_inside_the_period_is_priced_per_interval(community, period):
    mid_january = dt.datetime(2026, 1, 16, tzinfo=dt.UTC)
    TariffFactory(
        community=community, valid_from=mid_january, p_pv_ct_per_kwh=Decimal("18.5"), p_con_ct_per_kwh=Decimal("27.25")
    )
    house = HouseFactory(community=community)
    add_readings(house, mid_january - dt.timedelta(minutes=15), [("10", "4"), ("20", "2")])

    services.invoices_generate(period=period)

    invoice = Invoice.objects.get()
    old, new = invoice.lines.order_by("segment_start")
    assert (old.energy_exported_kwh, old.p_pv_ct_per_kwh, old.export_revenue_ct) == (
        Decimal("10"),
        Decimal("20"),
        Decimal("200"),
    )
    assert (new.energy_exported_kwh, new.p_pv_ct_per_kwh, new.export_revenue_ct) == (
        Decimal("20"),
        Decimal("18.5"),
        Decimal("370"),
    )
    assert invoice.export_revenue_ct == Decimal("570")
    assert invoice.import_cost_ct == Decimal("4") * 25 + Decimal("2") * Decimal("27.25")
    assert invoice.net_amount_ct == Decimal("570") - Decimal("154.5")


def test_period_without_a_tariff_is_refused_with_a_clear_message(period):
    period.community.tariffs.all().delete()
    HouseFactory(community=period.community)

    with pytest.raises(ValidationError, match="No tariff is in force on 2026-01-01"):
        services.invoices_generate(period=period)


def test_generation_query_count_does_not_grow_with_houses(community, period, django_assert_max_num_queries):
    for number in range(30):
        add_readings(HouseFactory(community=community, house_id=f"h{number:02d}"), JANUARY, [("1", "2")] * 4)

    with django_assert_max_num_queries(12):
        services.invoices_generate(period=period)
    add_readings(community.houses.first(), JANUARY + dt.timedelta(days=2), [("1", "1")])
    with django_assert_max_num_queries(14):
        services.invoices_generate(period=period)


def test_issue_numbers_drafts_in_house_order(community, period):
    for house_id in ["house_2", "house_1", "house_3"]:
        HouseFactory(community=community, house_id=house_id)

    report = services.invoices_issue(period=period)

    numbered = list(Invoice.objects.order_by("invoice_id").values_list("invoice_id", "house__house_id", "status"))
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
    february = services.period_get_or_create(community=community, period_id="2026-02")

    services.invoices_issue(period=february)

    assert list(Invoice.objects.order_by("invoice_id").values_list("invoice_id", flat=True)) == [
        "INV-2026-001",
        "INV-2026-002",
    ]


def test_numbers_restart_each_year_and_per_community(community):
    HouseFactory(community=community)
    other = CommunityFactory(slug="other", invoice_prefix="SOL")
    TariffFactory(community=other)
    HouseFactory(community=other)

    for target, period_id in [(community, "2026-12"), (community, "2027-01"), (other, "2026-12")]:
        services.invoices_issue(period=services.period_get_or_create(community=target, period_id=period_id))

    assert sorted(Invoice.objects.values_list("invoice_id", flat=True)) == [
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

    assert Invoice.objects.get().invoice_id == "INV-2026-001"


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
        Invoice.objects.update(invoice_id="INV-2026-999")


def test_period_get_or_create_uses_the_community_time_zone():
    berlin = CommunityFactory(time_zone="Europe/Berlin")

    period = services.period_get_or_create(community=berlin, period_id="2026-03")

    assert period.start == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    assert services.period_get_or_create(community=berlin, period_id="2026-03") == period


def test_period_get_or_create_rejects_a_malformed_month(community):
    with pytest.raises(ValidationError, match="YYYY-MM"):
        services.period_get_or_create(community=community, period_id="2026-3")


def test_issuing_freezes_the_months_meter_data(community, period):
    house = HouseFactory(community=community)
    services.invoices_issue(period=period)

    with pytest.raises(FrozenMeterDataError):
        add_readings(house, JANUARY, [("1", "0")])
