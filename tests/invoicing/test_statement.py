import datetime as dt
import itertools
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from communities.models import House
from invoicing import services
from invoicing.models import Invoice, Tariff
from invoicing.statement import (
    statement_compute,
    statement_for,
    statement_from_json,
    statement_to_csv,
    statement_to_json,
)
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
QUARTER_HOUR = dt.timedelta(minutes=15)
community_numbers = itertools.count()


def community_with_houses(count: int, time_zone: str = "UTC"):
    community = CommunityFactory(slug=f"statement-{next(community_numbers)}", time_zone=time_zone)
    TariffFactory(community=community)
    houses = [HouseFactory(community=community, house_id=f"house_{n + 1}") for n in range(count)]
    period = services.period_get_or_create(community=community, month="2026-01")
    return period, houses


def test_leg_simulator_12_3_8_statement():
    period, (seller, buyer) = community_with_houses(2)
    add_readings(seller, JANUARY, [("10", "0")])
    add_readings(buyer, JANUARY, [("0", "11")])

    statement = statement_for(period=period)

    assert statement.total.flows.grid_consumption_kwh == Decimal("1")
    assert statement.total.community_result_ct == Decimal("45")
    assert statement.break_even_p_con.quantize(Decimal("0.001")) == Decimal("20.909")


def test_statement_nets_per_interval():
    period, (house,) = community_with_houses(1)
    add_readings(house, JANUARY, [("2", "0"), ("0", "2")])

    statement = statement_for(period=period)

    assert statement.total.community_result_ct == Decimal("-38")
    assert (statement.total.flows.grid_delivery_kwh, statement.total.flows.grid_consumption_kwh) == (2, 2)


def test_statement_days_are_local_days():
    period, (house,) = community_with_houses(1, time_zone="Europe/Berlin")
    period = services.period_get_or_create(community=period.community, month="2026-01")
    add_readings(house, dt.datetime(2026, 1, 1, 22, 45, tzinfo=dt.UTC), [("1", "0"), ("2", "0")])

    statement = statement_for(period=period)

    assert [(day, value.flows.exported_kwh) for day, value in statement.days] == [
        (dt.date(2026, 1, 1), Decimal("1")),
        (dt.date(2026, 1, 2), Decimal("2")),
    ]


def test_break_even_p_con_is_undefined_without_imports():
    period, (house,) = community_with_houses(1)
    add_readings(house, JANUARY, [("3", "0")])

    assert statement_for(period=period).break_even_p_con is None


def test_statement_uses_the_tariff_in_force_per_interval():
    period, (house,) = community_with_houses(1)
    second_day = JANUARY + dt.timedelta(days=1)
    TariffFactory(community=period.community, valid_from=second_day.date(), p_pv_ct_per_kwh=Decimal("10"))
    add_readings(house, second_day - QUARTER_HOUR, [("1", "0"), ("1", "0")])

    assert statement_for(period=period).total.houses_revenue_ct == Decimal("30")


def test_statement_query_count_is_constant(django_assert_max_num_queries):
    period, houses = community_with_houses(20)
    for house in houses:
        add_readings(house, JANUARY, [("1", "0.5"), ("0", "2")] * 10)

    with django_assert_max_num_queries(4):
        statement_for(period=period)


energy = st.decimals(min_value=0, max_value=20, places=3, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(readings=st.lists(st.lists(st.tuples(energy, energy), min_size=1, max_size=8), min_size=1, max_size=4))
def test_statement_totals_equal_the_sums_of_the_issued_invoices(readings):
    period, houses = community_with_houses(len(readings))
    for house, energies in zip(houses, readings, strict=True):
        add_readings(house, JANUARY, [(str(e), str(i)) for e, i in energies])
    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    statement = statement_for(period=period)
    invoices = list(Invoice.objects.filter(period=period))

    assert statement.total.houses_revenue_ct == sum(invoice.export_revenue_ct for invoice in invoices)
    assert statement.total.houses_cost_ct == sum(invoice.import_cost_ct for invoice in invoices)
    assert statement.total.flows.exported_kwh == sum(invoice.energy_exported_kwh for invoice in invoices)
    assert statement.total.flows.imported_kwh == sum(invoice.energy_imported_kwh for invoice in invoices)


def test_command_prints_json_and_csv():
    period, (seller, buyer) = community_with_houses(2)
    add_readings(seller, JANUARY, [("10", "0")])
    add_readings(buyer, JANUARY, [("0", "11")])
    slug = period.community.slug

    as_json, as_csv = StringIO(), StringIO()
    call_command("community_statement", "--community", slug, "--period", "2026-01", "--format", "json", stdout=as_json)
    call_command("community_statement", "--community", slug, "--period", "2026-01", "--format", "csv", stdout=as_csv)

    document = json.loads(as_json.getvalue())
    assert document["total"]["community_result_ct"] == "45"
    assert document["break_even_p_con_ct_per_kwh"].startswith("20.909090")
    assert document["days"][0]["day"] == "2026-01-01"
    assert as_csv.getvalue().splitlines() == [
        "day,exported_kwh,imported_kwh,grid_delivery_kwh,grid_consumption_kwh,houses_revenue_ct,houses_cost_ct,"
        "grid_revenue_ct,grid_cost_ct,community_result_ct",
        "2026-01-01,10,11,0,1,200,275,0,30,45",
        "total,10,11,0,1,200,275,0,30,45",
    ]


def test_command_writes_the_statement_as_xlsx_with_number_cells(tmp_path):
    period, (seller, buyer) = community_with_houses(2)
    add_readings(seller, JANUARY, [("10", "0")])
    add_readings(buyer, JANUARY, [("0", "11")])
    target = tmp_path / "statement.xlsx"

    call_command(
        "community_statement",
        "--community",
        period.community.slug,
        "--period",
        "2026-01",
        "--format",
        "xlsx",
        "--output",
        str(target),
    )

    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[-1] == ("total", 10, 11, 0, 1, 200, 275, 0, 30, 45)


def test_command_needs_an_existing_period():
    community = CommunityFactory(slug="lonely")

    with pytest.raises(CommandError, match="lonely has no period 2026-01"):
        call_command("community_statement", "--community", community.slug, "--period", "2026-01")


def test_unknown_period_ids_fail_cleanly():
    period = SettlementPeriodFactory()

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("community_statement", "--community", period.community.slug, "--period", "January")


def break_even_community(readings: list[list[tuple[str, str]]]):
    period, houses = community_with_houses(len(readings))
    period.community.tariffs.update(mode=Tariff.Mode.BREAK_EVEN)
    for house, energies in zip(houses, readings, strict=True):
        add_readings(house, JANUARY, energies)
    return period, houses


def test_break_even_tariff_fsd_example_invoices():
    # One interval: E = 100 kWh, I = 20 kWh -> p_con capped at 30, p_pv = 10.8, result 0.
    period, (seller, buyer) = break_even_community([[("100", "0")], [("0", "20")]])

    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    seller_invoice, buyer_invoice = (Invoice.objects.get(house=house) for house in (seller, buyer))
    assert seller_invoice.export_revenue_ct == Decimal("1080")
    assert buyer_invoice.import_cost_ct == Decimal("600")
    assert seller_invoice.lines.get().p_pv_ct_per_kwh == Decimal("10.8")
    assert buyer_invoice.lines.get().p_con_ct_per_kwh == Decimal("30")
    assert statement_for(period=period).total.community_result_ct == 0


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(readings=st.lists(st.lists(st.tuples(energy, energy), min_size=1, max_size=6), min_size=1, max_size=4))
def test_break_even_invoices_leave_the_community_at_zero(readings):
    period, _ = break_even_community([[(str(e), str(i)) for e, i in energies] for energies in readings])

    services.invoices_issue(period=period, force=True, reason="test data has gaps")

    statement = statement_for(period=period)
    invoices = list(Invoice.objects.filter(period=period))
    stored_precision = Decimal("0.5e-7") * len(invoices)  # each invoice rounds its amounts once
    assert abs(statement.total.community_result_ct) < Decimal("1")
    assert (
        abs(statement.total.houses_revenue_ct - sum(invoice.export_revenue_ct for invoice in invoices))
        <= stored_precision
    )
    assert abs(statement.total.houses_cost_ct - sum(invoice.import_cost_ct for invoice in invoices)) <= stored_precision


def test_break_even_close_in_batches_prices_every_house_at_the_community_price():
    period, (seller, buyer) = break_even_community([[("100", "0")], [("0", "20")]])

    services.period_close_start(period=period, force=True, reason="one interval is enough for this test")
    services.period_close_run(period=period, batch_size=1)

    assert Invoice.objects.get(house=seller).export_revenue_ct == Decimal("1080")
    assert Invoice.objects.get(house=buyer).import_cost_ct == Decimal("600")


# --- statement_for: one statement per period, frozen once closed -----------------------------


def closed_then_edited():
    """A closed month whose buyer was later edited out of it: the live figures now differ."""
    period, (seller, buyer) = community_with_houses(2)
    add_readings(seller, JANUARY, [("10", "0")])
    add_readings(buyer, JANUARY, [("0", "11")])
    services.period_close_start(period=period, force=True, reason="one quarter hour of test data")
    services.period_close_run(period=period)
    House.objects.filter(pk=buyer.pk).update(active_from=dt.date(2026, 2, 1))
    period.refresh_from_db()
    return period


def test_a_closed_period_answers_with_its_frozen_statement():
    period = closed_then_edited()

    statement = statement_for(period=period)

    assert statement.is_frozen
    assert statement_to_json(statement) == period.statement_document.content_json
    assert (statement.houses, statement_compute(period=period).houses) == (2, 1)


def test_an_open_period_answers_live():
    period, (seller,) = community_with_houses(1)
    add_readings(seller, JANUARY, [("10", "0")])

    statement = statement_for(period=period)

    assert not statement.is_frozen
    assert statement.total.flows.exported_kwh == Decimal("10")


def test_command_prints_the_frozen_statement_of_a_closed_period():
    period = closed_then_edited()
    printed = StringIO()

    call_command("community_statement", "--community", period.community.slug, "--period", "2026-01", stdout=printed)

    assert printed.getvalue() == period.statement_document.content_json


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_downloads_of_a_closed_period_are_its_frozen_statement(admin_client, output_format):
    period = closed_then_edited()
    frozen = statement_from_json(period.statement_document.content_json)
    write = {"csv": statement_to_csv, "json": statement_to_json}[output_format]

    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, output_format]))

    assert response.content.decode() == write(frozen)
