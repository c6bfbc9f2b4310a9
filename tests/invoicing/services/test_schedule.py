"""Scheduled closing: the idempotent django-q2 schedule and what a run closes, on a frozen clock."""

import datetime as dt

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command
from django_q.models import Schedule

from invoicing import selectors, services, tasks
from invoicing.models import SettlementPeriod
from tests.factories import CommunityFactory, HouseFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def berlin():
    community = CommunityFactory(slug="berlin", time_zone="Europe/Berlin")
    TariffFactory(community=community)
    return community


def complete_month(community, month):
    period = services.period_get_or_create(community=community, month=month)
    for house in community.houses.all():
        count = int((period.end - period.start).total_seconds() // 900)
        add_readings(house, period.start, [("0.1", "0.1")] * count)
    return period


def statuses(community):
    return dict(community.periods.values_list("month", "status"))


@pytest.fixture
def no_tasks(django_capture_on_commit_callbacks):
    """Closes start but their tasks do not run: 'closing' is what the schedule leaves behind."""
    with django_capture_on_commit_callbacks(execute=False):
        yield


def test_october_is_due_at_local_midnight_five_days_after_it_ends_despite_dst(berlin, no_tasks):
    HouseFactory(community=berlin)
    services.period_get_or_create(community=berlin, month="2026-09")
    SettlementPeriod.objects.filter(month="2026-09").update(status="closed")
    complete_month(berlin, "2026-10")  # 745 hours: the clocks go back on 25 October

    with time_machine.travel(dt.datetime(2026, 11, 5, 22, 59, tzinfo=UTC), tick=False):  # 23:59 on 5 Nov in Berlin
        early = services.periods_close_due(grace_days=5)
    with time_machine.travel(dt.datetime(2026, 11, 5, 23, 0, tzinfo=UTC), tick=False):  # 00:00 on 6 Nov in Berlin
        due = services.periods_close_due(grace_days=5)

    assert early.started == [] and due.started == ["berlin 2026-10"]
    assert statuses(berlin) == {"2026-09": "closed", "2026-10": "closing", "2026-11": "open"}
    assert due.opened == ["berlin 2026-11"]


def test_due_time_in_march_follows_the_spring_change(berlin):
    assert services.close_due_at(month="2026-02", zone=berlin.zone, grace_days=29 - 1) == dt.datetime(
        2026, 3, 28, 23, tzinfo=UTC
    )
    assert services.close_due_at(month="2026-03", zone=berlin.zone, grace_days=3) == dt.datetime(
        2026, 4, 3, 22, tzinfo=UTC
    )


def test_a_second_run_closes_nothing_twice(berlin, django_capture_on_commit_callbacks):
    HouseFactory(community=berlin)
    complete_month(berlin, "2026-10")

    with time_machine.travel(dt.datetime(2026, 11, 7, 3, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = services.periods_close_due(grace_days=5)
        events = selectors.period_events(period=berlin.periods.get(month="2026-10")).count()
        second = services.periods_close_due(grace_days=5)

    assert first.started == ["berlin 2026-10"] and second.started == [] and second.refused == []
    assert statuses(berlin)["2026-10"] == "closed"
    assert selectors.period_events(period=berlin.periods.get(month="2026-10")).count() == events


def test_missed_runs_catch_up_month_by_month(berlin, no_tasks):
    HouseFactory(community=berlin)
    august = complete_month(berlin, "2026-08")
    SettlementPeriod.objects.filter(pk=august.pk).update(status="closed")
    complete_month(berlin, "2026-09")
    complete_month(berlin, "2026-10")

    with time_machine.travel(dt.datetime(2026, 12, 2, 12, tzinfo=UTC), tick=False):  # November not due until 6 Dec
        report = services.periods_close_due(grace_days=5)

    assert report.started == ["berlin 2026-09", "berlin 2026-10"]
    assert statuses(berlin) == {"2026-08": "closed", "2026-09": "closing", "2026-10": "closing", "2026-11": "open"}


def test_incomplete_month_is_not_forced_and_the_refusal_is_recorded(berlin, no_tasks):
    HouseFactory(community=berlin)

    with time_machine.travel(dt.datetime(2026, 11, 10, tzinfo=UTC), tick=False):
        report = services.periods_close_due(grace_days=5)

    assert report.started == [] and "incomplete" in report.refused[0]
    october = berlin.periods.get(month="2026-10")
    assert october.status == "open"
    note = selectors.period_events(period=october).get()
    assert (note.what, note.actor_name, note.kind) == ("Scheduled close refused", "schedule", "note")


def test_the_scheduled_task_uses_the_service(berlin, no_tasks, settings):
    settings.LEG_CLOSE_GRACE_DAYS = 2
    HouseFactory(community=berlin)
    complete_month(berlin, "2026-10")

    with time_machine.travel(dt.datetime(2026, 11, 3, 12, tzinfo=UTC), tick=False):
        result = tasks.periods_close_due_task()

    assert result.startswith("1 close started, 1 period opened")


def test_what_the_schedule_changes_is_audited_as_the_schedule(berlin, no_tasks, settings):
    settings.LEG_CLOSE_GRACE_DAYS = 2
    HouseFactory(community=berlin)
    complete_month(berlin, "2026-10")

    with time_machine.travel(dt.datetime(2026, 11, 3, 12, tzinfo=UTC), tick=False):
        tasks.periods_close_due_task()

    october = berlin.periods.get(month="2026-10")
    change = LogEntry.objects.get_for_object(october).filter(action=LogEntry.Action.UPDATE).get()
    assert (change.actor, change.actor_email, change.changes_dict["status"]) == (None, "schedule", ["open", "closing"])


def test_schedule_is_created_once_and_kept(no_tasks):
    with time_machine.travel(dt.datetime(2026, 11, 5, 10, tzinfo=UTC), tick=False):
        _schedule, created = services.close_schedule_ensure(grace_days=5, run_at=dt.time(2, 30))
        _, again = services.close_schedule_ensure(grace_days=5, run_at=dt.time(2, 30))
    with time_machine.travel(dt.datetime(2026, 11, 9, 10, tzinfo=UTC), tick=False):
        _, changed = services.close_schedule_ensure(grace_days=7, run_at=dt.time(2, 30))

    assert (created, again, changed) == ("created", "unchanged", "updated")
    stored = Schedule.objects.get()
    assert stored.func == "invoicing.tasks.periods_close_due_task" and stored.kwargs == "grace_days=7"
    assert stored.schedule_type == Schedule.DAILY
    assert stored.next_run == dt.datetime(2026, 11, 6, 2, 30, tzinfo=UTC)  # kept: a restart does not postpone a run


def test_schedule_command_is_idempotent(capsys):
    with time_machine.travel(dt.datetime(2026, 11, 5, 10, tzinfo=UTC), tick=False):
        call_command("schedule_period_closing", grace_days=5, run_at="02:30")
        call_command("schedule_period_closing", grace_days=5, run_at="02:30")

    out = capsys.readouterr().out
    assert "Closing schedule created: daily at 02:30 UTC (next 2026-11-06)" in out
    assert "Closing schedule unchanged" in out
    assert Schedule.objects.count() == 1


def test_schedule_command_names_the_months_its_next_run_closes(berlin, capsys):
    HouseFactory(community=berlin)
    complete_month(berlin, "2026-10")

    with time_machine.travel(dt.datetime(2026, 11, 5, 10, tzinfo=UTC), tick=False):
        call_command("schedule_period_closing", grace_days=5, run_at="02:30")

    out = capsys.readouterr().out
    assert "Its next run (2026-11-06 02:30 UTC, while the task cluster runs) closes berlin 2026-10, where" in out
    assert statuses(berlin) == {"2026-10": SettlementPeriod.Status.OPEN}  # told, not done


def test_schedule_command_says_when_its_next_run_closes_nothing(berlin, capsys):
    complete_month(berlin, "2026-10")
    services.period_close_start(period=berlin.periods.get(), force=True, reason="test")

    with time_machine.travel(dt.datetime(2026, 11, 5, 10, tzinfo=UTC), tick=False):
        call_command("schedule_period_closing", grace_days=5, run_at="02:30")

    assert "closes nothing." in capsys.readouterr().out


def test_django_q2_scheduler_runs_the_schedule_when_due(berlin, django_capture_on_commit_callbacks):
    from django_q.brokers import get_broker
    from django_q.models import Success
    from django_q.scheduler import scheduler

    HouseFactory(community=berlin)
    services.period_get_or_create(community=berlin, month="2026-09")
    SettlementPeriod.objects.filter(month="2026-09").update(status="closed")
    complete_month(berlin, "2026-10")
    with time_machine.travel(dt.datetime(2026, 11, 5, 10, tzinfo=UTC), tick=False):
        services.close_schedule_ensure(grace_days=5, run_at=dt.time(2, 30))

    with (
        time_machine.travel(dt.datetime(2026, 11, 6, 2, 31, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        scheduler(broker=get_broker())

    assert Success.objects.filter(func="invoicing.tasks.periods_close_due_task").exists()
    assert statuses(berlin)["2026-10"] == "closed"
    assert Schedule.objects.get().next_run == dt.datetime(2026, 11, 7, 2, 30, tzinfo=UTC)


def test_the_schedule_resumes_a_close_stuck_since_the_cluster_was_killed(berlin, django_capture_on_commit_callbacks):
    # Given: October's scheduled close started on 6 Nov, and its tasks were lost with the cluster.
    HouseFactory(community=berlin)
    complete_month(berlin, "2026-10")
    with (
        time_machine.travel(dt.datetime(2026, 11, 6, 3, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        services.periods_close_due(grace_days=5)

    # When: the next daily run.
    with (
        time_machine.travel(dt.datetime(2026, 11, 7, 3, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = services.periods_close_due(grace_days=5)

    # Then: the close was queued again, finished, and its PDFs rendered.
    assert report.resumed == ["berlin 2026-10: Close without progress since 2026-11-06 04:00 CET"]
    october = berlin.periods.get(month="2026-10")
    assert october.status == "closed"
    assert october.invoices.get().pdf_state == "rendered" and october.statement_document.pdf_state == "rendered"
    resumed = selectors.period_events(period=october).get(what="Close resumed")
    assert resumed.actor_name == "schedule"
