"""A close sums the month's energy per interval once, at its start, and every step reads that."""

import datetime as dt

import pytest

from invoicing import selectors, services, statement, tasks
from invoicing.models import Invoice, PeriodIntervalEnergy, SettlementPeriod, Tariff
from invoicing.services import closing
from tests.factories import HouseFactory, add_readings

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
