"""Concurrency proofs on PostgreSQL: real parallel connections, one per thread.

SQLite serialises whole-database writers and ignores SELECT ... FOR UPDATE, so these tests only
mean something on PostgreSQL and are skipped elsewhere (tests/conftest.py).
"""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from invoicing import queue, selectors, services, tasks
from invoicing.models import CancellationNote, Invoice, InvoiceNumberCounter, SettlementPeriod
from tests.factories import HouseFactory, SettlementPeriodFactory, add_readings

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def run_at_once(functions, timeout=120):
    """Start every function in its own thread (own database connection) behind one barrier."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = ("ok", function())
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, function)) for index, function in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    close_old_connections()
    return results


@pytest.fixture
def no_pdfs(monkeypatch):
    """PDFs are not what these tests are about; rendering 40 of them in threads only slows them."""
    monkeypatch.setattr(queue, "pdfs_enqueue", lambda **kwargs: None)


def complete_period(community, houses=5):
    for number in range(1, houses + 1):
        add_readings(
            HouseFactory(community=community, house_id=f"house_{number:02d}"), JANUARY, [("0.1", "0.2")] * 2976
        )
    return SettlementPeriodFactory(community=community)


def test_two_closes_at_the_same_moment_make_one_set_of_invoices(community, no_pdfs, monkeypatch):
    period = complete_period(community)
    real_completeness = selectors.period_completeness

    def slow_completeness(**kwargs):
        time.sleep(0.5)  # hold the period's row lock long enough for the other close to queue on it
        return real_completeness(**kwargs)

    monkeypatch.setattr(selectors, "period_completeness", slow_completeness)

    results = run_at_once([lambda: services.period_close_start(period=period)] * 2)

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"]
    (error,) = [value for kind, value in results if kind == "error"]
    assert isinstance(error, ValidationError) and "already closing" in error.messages[0]
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [f"INV-2026-{n:03d}" for n in range(1, 6)]
    assert selectors.period_events(period=period).filter(to_status="closing").count() == 1


def test_two_close_tasks_on_two_workers_issue_each_invoice_once(community, no_pdfs, monkeypatch):
    period = complete_period(community, houses=12)
    monkeypatch.setattr(queue, "close_step_enqueue", lambda **kwargs: None)  # the workers drive the steps here
    services.period_close_start(period=period)

    def worker():
        steps = 0
        while SettlementPeriod.objects.get(pk=period.pk).status == SettlementPeriod.Status.CLOSING:
            services.period_close_step(period=period, batch_size=2)
            steps += 1
        return steps

    results = run_at_once([worker, worker])

    assert [kind for kind, _ in results] == ["ok", "ok"]
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:03d}" for n in range(1, 13)]
    assert Invoice.objects.values("house").distinct().count() == 12
    assert tasks.period_close_task(period.pk).endswith("nothing to do")


def test_twenty_invoices_issued_at_once_are_gap_free(community, no_pdfs):
    # Five houses in each of four months, issued: INV-2026-001 ... 020.
    houses = [HouseFactory(community=community, house_id=f"house_{n:02d}") for n in range(1, 6)]
    for month in ["2026-01", "2026-02", "2026-03", "2026-04"]:
        services.invoices_issue(
            period=services.period_get_or_create(community=community, month=month),
            force=True,
            reason="test data has gaps",
        )
    assert houses and Invoice.objects.count() == 20

    # Twenty cancellations at once: each takes a CN number and issues a corrected invoice.
    originals = list(Invoice.objects.order_by("number"))
    results = run_at_once(
        [
            lambda invoice=invoice: services.invoice_cancel(invoice=invoice, reason="Address changed")
            for invoice in originals
        ]
    )

    assert [kind for kind, _ in results] == ["ok"] * 20
    assert sorted(CancellationNote.objects.values_list("number", flat=True)) == [
        f"CN-2026-{n:03d}" for n in range(1, 21)
    ]
    corrected = sorted(Invoice.objects.filter(status="pending").values_list("number", flat=True))
    assert corrected == [f"INV-2026-{n:03d}" for n in range(21, 41)]
    assert dict(InvoiceNumberCounter.objects.values_list("series", "last_number")) == {"INV": 40, "CN": 20}


def test_rolled_back_allocations_leave_no_gap_under_concurrency(community):
    committed: list[str] = []
    lock = threading.Lock()

    def allocate(rollback: bool):
        def run():
            try:
                with transaction.atomic():
                    [number] = services.invoice_numbers_allocate(community=community, series="INV", year=2026, count=1)
                    time.sleep(0.05)  # keep the counter locked while others queue
                    if rollback:
                        raise RuntimeError("issue failed after numbering")
            except RuntimeError:
                return None
            with lock:
                committed.append(number)
            return number

        return run

    results = run_at_once([allocate(rollback=index % 3 == 0) for index in range(20)])

    assert all(kind == "ok" for kind, _ in results)
    assert sorted(committed) == [f"INV-2026-{n:03d}" for n in range(1, len(committed) + 1)]
    assert InvoiceNumberCounter.objects.get().last_number == len(committed) == 13
