import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoicing import services
from invoicing.models import Invoice
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    TariffFactory,
    add_readings,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_generation_sums_readings_and_prices_them(community, period):
    house = HouseFactory(community=community)
    add_readings(house, JANUARY, [("200.25", "60.1"), ("250.25", "60.2")])

    report = services.invoices_generate(period=period)

    invoice = Invoice.objects.get()
    assert report.created == 1
    assert invoice.status == Invoice.Status.DRAFT and invoice.number is None
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
        community=community,
        valid_from=mid_january.date(),
        p_pv_ct_per_kwh=Decimal("18.5"),
        p_con_ct_per_kwh=Decimal("27.25"),
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


def test_a_price_change_on_the_first_bills_from_local_midnight_at_the_new_price():
    # Given a Berlin community whose price changes on 2026-03-01
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin, valid_from=dt.date(2026, 1, 1), p_pv_ct_per_kwh=Decimal("20"))
    TariffFactory(community=berlin, valid_from=dt.date(2026, 3, 1), p_pv_ct_per_kwh=Decimal("10"))
    house = HouseFactory(community=berlin)
    march = services.period_get_or_create(community=berlin, month="2026-03")
    # the first two quarter hours of 1 March in Berlin (23:00 and 23:15 UTC on 28 February)
    add_readings(house, dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC), [("1", "0"), ("1", "0")])

    # When March is billed
    services.invoices_generate(period=march)

    # Then all of it is priced at the new price, from 00:00 local time on
    (line,) = Invoice.objects.get().lines.all()
    assert (line.segment_start, line.p_pv_ct_per_kwh, line.export_revenue_ct) == (
        dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC),
        Decimal("10"),
        Decimal("20"),
    )


def test_a_house_joining_mid_month_is_billed_from_its_first_local_day():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin)
    house = HouseFactory(community=berlin, active_from=dt.date(2026, 3, 17))
    march = services.period_get_or_create(community=berlin, month="2026-03")

    services.invoices_generate(period=march)

    invoice = Invoice.objects.get()
    assert (invoice.house, invoice.period_start, invoice.period_end) == (
        house,
        dt.datetime(2026, 3, 16, 23, tzinfo=dt.UTC),  # 17 March 00:00 in Berlin
        march.end,
    )


def test_a_house_leaving_mid_month_is_billed_to_the_end_of_its_last_local_day():
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin)
    HouseFactory(community=berlin, active_from=dt.date(2020, 1, 1), active_until=dt.date(2026, 3, 10))
    march = services.period_get_or_create(community=berlin, month="2026-03")

    services.invoices_generate(period=march)

    invoice = Invoice.objects.get()
    assert (invoice.period_start, invoice.period_end) == (march.start, dt.datetime(2026, 3, 10, 23, tzinfo=dt.UTC))


def test_a_draft_follows_a_change_of_the_house_membership_dates(community, period):
    house = HouseFactory(community=community)
    services.invoices_generate(period=period)
    house.active_from = dt.date(2026, 1, 17)
    house.save()

    report = services.invoices_generate(period=period)

    assert report.updated == 1
    assert Invoice.objects.get().period_start == dt.datetime(2026, 1, 17, tzinfo=dt.UTC)


def test_a_draft_keeps_the_house_key_it_was_drafted_for(community, period):
    HouseFactory(community=community, house_id="house_1")

    services.invoices_generate(period=period)

    assert Invoice.objects.get().house_key == "house_1"


def test_a_refreshed_draft_follows_a_renamed_house(community, period):
    house = HouseFactory(community=community, house_id="house_1")
    services.invoices_generate(period=period)
    house.house_id = "house_01"
    house.save()

    report = services.invoices_generate(period=period)

    assert (report.updated, Invoice.objects.get().house_key) == (1, "house_01")
