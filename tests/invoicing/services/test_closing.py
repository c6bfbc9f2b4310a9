"""Closing a period: completeness gate, batches, idempotence, failure, frozen readings, PDFs."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from invoicing import selectors, services, tasks
from invoicing.models import Invoice, LifecycleEvent, PdfState, SettlementPeriod
from invoicing.services import closing
from metering.models import FrozenMeterDataError, FrozenRange, MeterReading
from tests.factories import (
    HouseFactory,
    add_readings,
    reading,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
QUARTER_HOURS_IN_JANUARY = 31 * 96


def full_month(house, energy=("0.1", "0.2")):
    return add_readings(house, JANUARY, [energy] * QUARTER_HOURS_IN_JANUARY)


@pytest.fixture
def complete_houses(community):
    houses = [HouseFactory(community=community, house_id=f"house_{n}") for n in (1, 2, 3)]
    for house in houses:
        full_month(house)
    return houses


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (django-q2 runs sync in tests, so enqueued tasks run at once)."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_close_issues_every_house_freezes_readings_and_marks_closed(period, complete_houses, run_tasks):
    start = run_tasks(services.period_close_start, period=period)

    period.refresh_from_db()
    assert start.completeness.complete
    assert period.status == SettlementPeriod.Status.CLOSED
    assert list(Invoice.objects.order_by("number").values_list("number", "house__house_id", "status")) == [
        ("INV-2026-001", "house_1", "pending"),
        ("INV-2026-002", "house_2", "pending"),
        ("INV-2026-003", "house_3", "pending"),
    ]
    assert FrozenRange.objects.filter(community=period.community, start=period.start, end=period.end).exists()
    with pytest.raises(FrozenMeterDataError, match="closed"):
        MeterReading.objects.filter(house=complete_houses[0]).first().delete()


def test_close_writes_the_events_of_every_transition(period, complete_houses, run_tasks):
    run_tasks(services.period_close_start, period=period)

    period_events = list(selectors.period_events(period=period).values_list("from_status", "to_status", "actor_name"))
    assert period_events == [("open", "closing", "system"), ("closing", "closed", "close task")]
    issued = LifecycleEvent.objects.filter(invoice__isnull=False, from_status="draft", to_status="pending")
    assert issued.count() == 3
    assert issued.filter(details__number="INV-2026-001").exists()


def test_close_in_batches_numbers_in_house_order(period, complete_houses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    first = services.period_close_step(period=period, batch_size=2)
    second = services.period_close_step(period=period, batch_size=2)
    final = services.period_close_step(period=period, batch_size=2)

    assert first.issued_numbers == ["INV-2026-001", "INV-2026-002"]
    assert second.issued_numbers == ["INV-2026-003"]
    assert final.closed
    assert selectors.period_close_progress(period=period).invoices_done == 3


def test_close_task_twice_changes_nothing(period, complete_houses, run_tasks):
    run_tasks(services.period_close_start, period=period)
    before = list(Invoice.objects.values_list("pk", "number", "status", "updated_at"))
    events = LifecycleEvent.objects.count()

    result = run_tasks(tasks.period_close_task, period_pk=period.pk)

    assert "nothing to do" in result
    assert list(Invoice.objects.values_list("pk", "number", "status", "updated_at")) == before
    assert LifecycleEvent.objects.count() == events


def test_close_after_a_crash_half_way_completes_only_what_is_missing(
    period, complete_houses, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)
        services.period_close_step(period=period, batch_size=2)  # then the worker dies

    with django_capture_on_commit_callbacks(execute=True):
        tasks.period_close_task(period.pk)  # re-delivered
        tasks.period_close_task(period.pk)  # and a duplicate delivery

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-2026-001",
        "INV-2026-002",
        "INV-2026-003",
    ]


def test_incomplete_period_is_refused_with_the_gaps(period, complete_houses):
    gappy = HouseFactory(community=period.community, house_id="house_9")
    add_readings(gappy, JANUARY, [("1", "1")] * 100)

    with pytest.raises(ValidationError, match=r"1 of 4 houses has gaps: 2,876 of 11,904 intervals missing.*house_9"):
        services.period_close_start(period=period)

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.OPEN
    assert not FrozenRange.objects.exists()


def test_forced_close_records_the_reason_and_the_users_name(period, complete_houses, admin_user, run_tasks):
    HouseFactory(community=period.community, house_id="house_9")
    admin_user.first_name, admin_user.last_name = "Käthe", "Schäfer"
    admin_user.save()

    run_tasks(services.period_close_start, period=period, acting_user=admin_user, force=True, reason="Meter swapped")

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    assert (period.close_forced_reason, period.close_forced_by) == ("Meter swapped", "Käthe Schäfer (admin)")
    event = selectors.period_events(period=period).first()
    assert event.details["forced"] and event.details["reason"] == "Meter swapped" and event.actor == admin_user
    assert event.details["houses_with_gaps"] == 1


def test_forced_close_without_a_reason_is_refused(period, complete_houses):
    with pytest.raises(ValidationError, match="written reason"):
        services.period_close_start(period=period, force=True, reason="  ")


def test_second_close_reports_already_closing(period, complete_houses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    with pytest.raises(ValidationError, match="already closing"):
        services.period_close_start(period=period)


def test_preview_is_refused_while_closing(period, complete_houses, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    with pytest.raises(ValidationError, match="is closing"):
        services.invoices_generate(period=period)


def test_failure_before_anything_is_issued_reopens_the_period(
    period, complete_houses, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(closing, "drafts_refresh", broken)
    with pytest.raises(RuntimeError):
        tasks.period_close_task(period.pk)

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.OPEN
    assert not FrozenRange.objects.exists()
    last = selectors.period_events(period=period).last()
    assert (last.from_status, last.to_status) == ("closing", "open")
    assert "database went away" in last.details["error"]


def test_failure_after_some_invoices_keeps_closing_and_resume_completes(
    period, complete_houses, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        services.period_close_start(period=period)
        services.period_close_step(period=period, batch_size=1)
    original = closing.drafts_refresh
    monkeypatch.setattr(closing, "drafts_refresh", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        tasks.period_close_task(period.pk)
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSING
    assert "disk full" in selectors.period_events(period=period).last().details["error"]

    monkeypatch.setattr(closing, "drafts_refresh", original)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_close_resume(period=period)

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    assert Invoice.objects.filter(status="pending").count() == 3


def test_a_reading_cannot_be_added_to_a_closed_period(period, complete_houses, run_tasks):
    run_tasks(services.period_close_start, period=period)
    house = complete_houses[0]
    late = reading(house, JANUARY + dt.timedelta(days=3, minutes=7), exported_kwh="1")

    with pytest.raises(FrozenMeterDataError, match="settlement period 2026-01 is closed"):
        late.save()
    with pytest.raises(FrozenMeterDataError):
        MeterReading.objects.bulk_create([late])
    with pytest.raises(FrozenMeterDataError):
        MeterReading.objects.filter(house=house).update(exported_wh=0)


def test_closed_period_pdfs_are_rendered_and_stored(period, complete_houses, run_tasks):
    run_tasks(services.period_close_start, period=period)

    progress = selectors.period_close_progress(period=period)
    assert (progress.invoices_done, progress.invoices_total, progress.pdfs_done, progress.pdfs_total) == (3, 3, 3, 3)
    assert progress.finished
    assert set(Invoice.objects.values_list("pdf_state", flat=True)) == {PdfState.RENDERED}


@pytest.mark.django_db(transaction=True)
def test_close_period_command_closes_and_waits(period, complete_houses, capsys):
    # Real commits here, so the on-commit enqueue runs the (synchronous) tasks while --wait polls.
    call_command("close_period", community="sonnenfeld", period="2026-01", wait=True, timeout=20)

    out = capsys.readouterr().out
    assert "Closing Energiegemeinschaft" in out and "closed: 3 invoices, 3 PDFs." in out


def test_close_period_command_twice_changes_nothing(
    period, complete_houses, django_capture_on_commit_callbacks, capsys
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("close_period", community="sonnenfeld", period="2026-01")
    before = list(Invoice.objects.values())

    call_command("close_period", community="sonnenfeld", period="2026-01")

    assert "already closed; nothing changed" in capsys.readouterr().out
    assert list(Invoice.objects.values()) == before


def test_close_period_command_refuses_gaps_without_force(period, complete_houses):
    HouseFactory(community=period.community, house_id="house_9")

    with pytest.raises(CommandError, match="incomplete"):
        call_command("close_period", community="sonnenfeld", period="2026-01")
    with pytest.raises(CommandError, match="--reason is recorded only with --force"):
        call_command("close_period", community="sonnenfeld", period="2026-01", reason="x")


def test_close_period_command_forces_with_reason(period, complete_houses, django_capture_on_commit_callbacks):
    HouseFactory(community=period.community, house_id="house_9")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("close_period", community="sonnenfeld", period="2026-01", force=True, reason="Meter broken")

    period.refresh_from_db()
    assert period.status == "closed" and period.close_forced_reason == "Meter broken"
    assert "close_period command" in period.close_forced_by


def test_house_without_readings_is_invoiced_zero_when_forced(period, complete_houses, run_tasks):
    HouseFactory(community=period.community, house_id="house_9")

    run_tasks(services.period_close_start, period=period, force=True, reason="new meter")

    assert Invoice.objects.get(house__house_id="house_9").net_amount_ct == Decimal("0")


def test_failed_close_keeps_a_month_whose_invoices_were_issued_beforehand_frozen(
    period, complete_houses, django_capture_on_commit_callbacks, monkeypatch
):
    # Given: January issued through "Issue invoices", then a close whose last step fails.
    with django_capture_on_commit_callbacks(execute=False):
        services.invoices_issue(period=period)
        services.period_close_start(period=period)
    monkeypatch.setattr(closing, "statement_freeze", lambda **kwargs: (_ for _ in ()).throw(RuntimeError("disk full")))

    # When
    with pytest.raises(RuntimeError):
        tasks.period_close_task(period.pk)

    # Then: still closing, its readings still frozen under the issued invoices.
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSING
    assert FrozenRange.objects.filter(community=period.community, start=period.start).exists()
    with pytest.raises(FrozenMeterDataError):
        reading(complete_houses[0], JANUARY, exported_kwh="5").save()
    assert "disk full" in selectors.period_events(period=period).last().details["error"]


def test_close_of_a_month_that_has_not_ended_is_refused_even_forced(community, complete_houses):
    community.time_zone = "Europe/Berlin"
    community.save()
    march = services.period_get_or_create(community=community, month="2026-03")

    at_2359_in_berlin = dt.datetime(2026, 3, 31, 21, 59, tzinfo=dt.UTC)
    with time_machine.travel(at_2359_in_berlin, tick=False), pytest.raises(ValidationError) as refused:
        services.period_close_start(period=march, force=True, reason="Close it early")

    assert refused.value.messages == [
        f"Period {march} has not ended yet: it can be closed from 2026-04-01 00:00 (Europe/Berlin), after its last day."
    ]
    march.refresh_from_db()
    assert march.status == SettlementPeriod.Status.OPEN and not FrozenRange.objects.exists()


def test_a_month_can_be_closed_from_local_midnight_after_its_last_day(community, django_capture_on_commit_callbacks):
    community.time_zone = "Europe/Berlin"
    community.save()
    march = services.period_get_or_create(community=community, month="2026-03")

    midnight_in_berlin = dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    with time_machine.travel(midnight_in_berlin, tick=False), django_capture_on_commit_callbacks(execute=False):
        start = services.period_close_start(period=march)

    assert start.period.status == SettlementPeriod.Status.CLOSING


def test_forced_close_by_a_user_without_the_force_permission_is_refused(period, complete_houses, django_user_model):
    HouseFactory(community=period.community, house_id="house_4")
    clerk = django_user_model.objects.create_user(username="clerk", is_staff=True)

    with pytest.raises(ValidationError, match="Only a user with the permission"):
        services.period_close_start(period=period, acting_user=clerk, force=True, reason="Meter swapped")

    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.OPEN


def test_close_period_command_forcing_for_a_named_user_needs_their_permission(
    period, complete_houses, django_user_model
):
    HouseFactory(community=period.community, house_id="house_4")
    django_user_model.objects.create_user(username="clerk", is_staff=True)

    with pytest.raises(CommandError, match="clerk does not have it"):
        call_command("close_period", community="sonnenfeld", period="2026-01", user="clerk", force=True, reason="x")
