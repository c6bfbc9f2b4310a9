"""A close sums the month's energy per interval once, at its start, and every step reads that."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from core.energy import wh_to_kwh
from invoicing import selectors, services, statement, tasks
from invoicing.models import Invoice, PeriodIntervalEnergy, SettlementPeriod, Tariff
from invoicing.services import closing
from metering.models import MeterReading
from tests.factories import HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
QUARTER_HOURS_IN_JANUARY = 31 * 96
AMOUNT_FIELDS = ("energy_exported_kwh", "energy_imported_kwh", "export_revenue_ct", "import_cost_ct", "net_amount_ct")


@pytest.fixture
def break_even_houses(community):
    """Three houses with every quarter hour of January, trading at break-even prices."""
    community.tariffs.update(mode=Tariff.Mode.BREAK_EVEN)
    energies = [
        [("0.3", "0.05"), ("0", "0.4"), ("0.125", "0.1")],
        [("0", "0.2"), ("0.05", "0.3"), ("0", "0.15")],
        [("0.2", "0"), ("0", "0.05"), ("0.075", "0.2")],
    ]
    houses = [HouseFactory(community=community, house_id=f"house_{n}") for n in (1, 2, 3)]
    for house, pattern in zip(houses, energies, strict=True):
        add_readings(house, JANUARY, [pattern[i % 3] for i in range(QUARTER_HOURS_IN_JANUARY)])
    return houses


def start_close(period, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)


def test_close_start_stores_the_summed_energy_of_every_interval(
    period, break_even_houses, django_capture_on_commit_callbacks
):
    start_close(period, django_capture_on_commit_callbacks)

    stored = list(PeriodIntervalEnergy.objects.filter(period=period).values_list("interval_start", "exported_wh"))
    live = selectors.interval_energy(houses=break_even_houses, start=period.start, end=period.end)
    assert stored == [(interval.interval_start, interval.exported_wh) for interval in live]
    assert len(stored) == QUARTER_HOURS_IN_JANUARY


def test_close_start_sums_the_intervals_once_and_stores_them_in_one_statement(
    period, break_even_houses, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """SQLite: one INSERT ... SELECT, no sums through Python. PostgreSQL: one SELECT (a statement
    that writes gets no parallel plan there), written back by one bulk INSERT."""
    with django_assert_max_num_queries(30) as captured:
        start_close(period, django_capture_on_commit_callbacks)

    table = PeriodIntervalEnergy._meta.db_table
    (sums,) = [
        sql for sql in readings_queries(captured) if "GROUP BY" in sql and "house_id" not in sql.split("FROM")[0]
    ]
    stores = [query["sql"] for query in captured.captured_queries if query["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(stores) == 1
    if connection.vendor == "sqlite":
        assert stores == [sums]
    assert PeriodIntervalEnergy.objects.filter(period=period).count() == QUARTER_HOURS_IN_JANUARY


def test_closed_break_even_invoices_equal_the_drafts_priced_from_the_readings(
    period, break_even_houses, django_capture_on_commit_callbacks
):
    services.invoices_generate(period=period)
    drafts = list(Invoice.objects.order_by("house_id").values_list(*AMOUNT_FIELDS))

    start_close(period, django_capture_on_commit_callbacks)
    closing.period_close_run(period=period, batch_size=1)

    issued = list(Invoice.objects.order_by("house_id").values_list(*AMOUNT_FIELDS))
    assert issued == drafts
    assert {status for status in Invoice.objects.values_list("status", flat=True)} == {Invoice.Status.PENDING}


def test_close_steps_and_frozen_statement_read_the_stored_energy_not_the_readings(
    period, break_even_houses, django_capture_on_commit_callbacks
):
    live = statement.statement_compute(period=period)
    start_close(period, django_capture_on_commit_callbacks)
    first = PeriodIntervalEnergy.objects.filter(period=period).earliest("interval_start")
    first.exported_wh += 1_000
    first.save()

    with django_capture_on_commit_callbacks(execute=False):
        closing.period_close_run(period=period)

    frozen = statement.statement_for(period=period)
    assert frozen.is_frozen
    assert frozen.total.flows.exported_kwh == live.total.flows.exported_kwh + 1


def test_a_failed_close_that_reopens_the_period_drops_the_stored_energy(
    period, break_even_houses, django_capture_on_commit_callbacks, monkeypatch
):
    start_close(period, django_capture_on_commit_callbacks)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(closing, "drafts_refresh", broken)
    with pytest.raises(RuntimeError):
        tasks.period_close_task(period.pk)

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.OPEN
    assert not PeriodIntervalEnergy.objects.filter(period=period).exists()


def readings_queries(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "communities_meterreading" in query["sql"]]


def test_a_break_even_close_step_reads_the_readings_once(
    period, break_even_houses, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """The join that values the readings at interval prices sums their energy too: no second pass."""
    start_close(period, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=False), django_assert_max_num_queries(45) as captured:
        closing.period_close_run(period=period)

    assert len(readings_queries(captured)) == 1
    assert Invoice.objects.filter(status=Invoice.Status.PENDING).count() == 3


def test_a_month_half_fixed_half_break_even_bills_each_segment_its_own_energy(
    community, period, break_even_houses, django_capture_on_commit_callbacks
):
    community.tariffs.update(mode=Tariff.Mode.FIXED)
    TariffFactory(community=community, valid_from=dt.date(2026, 1, 16), mode=Tariff.Mode.BREAK_EVEN)

    start_close(period, django_capture_on_commit_callbacks)
    closing.period_close_run(period=period)

    for house in break_even_houses:
        invoice = Invoice.objects.get(house=house)
        fixed_line, break_even_line = invoice.lines.order_by("segment_start")
        assert not fixed_line.tariff.is_break_even and break_even_line.tariff.is_break_even
        for line in (fixed_line, break_even_line):
            readings = MeterReading.objects.filter(
                house=house, interval_start__gte=line.segment_start, interval_start__lt=line.segment_end
            ).aggregate(exported=Sum("exported_wh"), imported=Sum("imported_wh"))
            assert (line.energy_exported_kwh, line.energy_imported_kwh) == (
                wh_to_kwh(readings["exported"]),
                wh_to_kwh(readings["imported"]),
            )
        assert fixed_line.export_revenue_ct == fixed_line.energy_exported_kwh * Decimal("20")
        assert invoice.energy_exported_kwh == fixed_line.energy_exported_kwh + break_even_line.energy_exported_kwh
