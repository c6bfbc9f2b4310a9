"""The period page's kept figures: equal to a fresh computation, kept between views, and stale
after every way readings, houses or tariffs change (each write path has its test: without the
database's version triggers the kept figures would survive the write)."""

import datetime as dt
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse
from import_export.resources import modelresource_factory

from invoicing import selectors
from invoicing.models import KeptPeriodFigures
from invoicing.period_figures import period_figures, period_statement_shown
from invoicing.statement import statement_compute
from metering.live.writing import live_readings_upsert
from metering.models import MeterReading
from tests.factories import HouseFactory, add_readings
from tests.metering.import_helpers import INTERVAL_HEADER, csv_bytes, run_import

pytestmark = pytest.mark.django_db

JANUARY_10 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def house(community):
    house = HouseFactory(community=community, house_id="house_1")
    add_readings(house, JANUARY_10, [("0.5", "0.25")] * 8)
    return house


@pytest.fixture
def kept(period, house):
    """The figures computed once, as a first view of the page does."""
    period_figures(period=period)
    return KeptPeriodFigures.objects.get(period=period)


def assert_fresh(period):
    """What the page shows equals what the readings, houses and tariffs give now."""
    figures = period_figures(period=period)
    assert figures.statement == statement_compute(period=period)
    assert figures.completeness == selectors.period_completeness(period=period)


def test_the_kept_figures_equal_a_fresh_computation(period, kept):
    assert_fresh(period)


def test_a_second_view_reads_the_kept_figures_without_summing_readings(period, kept, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as captured:
        statement = period_statement_shown(period=period)

    assert statement.total.flows.exported_kwh == Decimal("4")
    assert not any("communities_meterreading" in query["sql"] for query in captured.captured_queries)


def test_a_file_import_makes_them_stale(community, period, kept):
    run_import(community, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-01-10T12:00:00Z", "3", "0"]]))

    assert period_figures(period=period).statement.total.flows.exported_kwh == Decimal("6.5")
    assert_fresh(period)


def test_an_edit_in_the_readings_admin_makes_them_stale(admin_client, period, house, kept):
    reading = MeterReading.objects.get(house=house, interval_start=JANUARY_10)
    local = JANUARY_10.astimezone(dt.timezone(dt.timedelta(hours=1)))  # the site's zone, Berlin in winter
    form = {"house": house.pk, "exported_wh": 3000, "imported_wh": 0, "estimated": ""}
    form |= {"interval_start_0": f"{local:%Y-%m-%d}", "interval_start_1": f"{local:%H:%M:%S}"}

    response = admin_client.post(reverse("admin:metering_meterreading_change", args=[reading.pk]), form)

    assert response.status_code == 302
    assert period_figures(period=period).statement.total.flows.exported_kwh == Decimal("6.5")
    assert_fresh(period)


def test_a_generic_import_export_resource_makes_them_stale(period, house, kept):
    dataset = tablib.Dataset(
        [None, house.pk, "2026-01-20 00:00:00", 1000, 0],
        headers=["id", "house", "interval_start", "exported_wh", "imported_wh"],
    )

    result = modelresource_factory(MeterReading)().import_data(dataset)

    assert not result.has_errors() and not result.has_validation_errors()
    assert period_figures(period=period).statement.total.flows.exported_kwh == Decimal("5")
    assert_fresh(period)


def test_the_live_feed_makes_them_stale(period, house, kept):
    live_readings_upsert([(house.pk, JANUARY_10, 0, 3000, True)])

    figures = period_figures(period=period)
    assert figures.statement.total.flows.exported_kwh == Decimal("6.5")
    assert figures.completeness.estimated == 1
    assert_fresh(period)


def test_a_bulk_create_makes_them_stale(period, house, kept):
    add_readings(house, JANUARY_10 + dt.timedelta(hours=2), [("1", "0")])

    assert period_figures(period=period).completeness.present == 9
    assert_fresh(period)


def test_a_delete_in_the_readings_admin_makes_them_stale(admin_client, period, house, kept):
    selected = list(MeterReading.objects.filter(interval_start=JANUARY_10).values_list("pk", flat=True))

    admin_client.post(
        reverse("admin:metering_meterreading_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
    )

    assert period_figures(period=period).completeness.present == 7
    assert_fresh(period)


def test_a_queryset_update_makes_them_stale(period, house, kept):
    MeterReading.objects.filter(house=house).update(imported_wh=0)

    assert period_figures(period=period).statement.total.flows.imported_kwh == 0
    assert_fresh(period)


def test_a_house_joining_later_makes_them_stale(period, house, kept):
    house.active_from = dt.date(2026, 1, 10)
    house.save()

    assert period_figures(period=period).completeness.houses[0].expected == 22 * 96
    assert_fresh(period)


def test_a_changed_tariff_makes_them_stale(community, period, house, kept):
    community.tariffs.update(p_pv_ct_per_kwh=Decimal("21"))

    assert_fresh(period)


def test_readings_of_another_month_leave_them_kept(period, house, kept, django_assert_max_num_queries):
    add_readings(house, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), [("1", "0")])

    with django_assert_max_num_queries(5):
        period_figures(period=period)
