"""Scheduled closing: one django-q2 schedule closes each community's months after their grace days."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from communities.models import Community
from core.local_time import local_midnight, month_first_days, parse_period_id, period_id_of

from .. import event_texts as texts
from .. import lifecycle, selectors
from ..models import SettlementPeriod
from .closing import period_close_resume, period_close_start
from .deliveries import deliveries_interrupted_fail
from .periods import period_get_or_create

SCHEDULE_ACTOR = "schedule"
CLOSE_SCHEDULE_NAME = "Close settlement periods after their grace days"
CLOSE_SCHEDULE_FUNC = "invoicing.tasks.periods_close_due_task"
MAX_GRACE_DAYS = 27  # later, and a month would be due only after the next one ended


def _checked_grace_days(grace_days: int) -> int:
    if not 0 <= grace_days <= MAX_GRACE_DAYS:
        raise ValidationError(
            gettext("Grace days must be between 0 and %(most)d, not %(days)s.")
            % {"most": MAX_GRACE_DAYS, "days": grace_days}
        )
    return grace_days


def _month_after(month: str) -> str:
    year, number = parse_period_id(month)
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


def _month_before(month: str) -> str:
    year, number = parse_period_id(month)
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def close_due_at(*, month: str, zone, grace_days: int) -> dt.datetime:
    """When a month may be closed: local midnight ``grace_days`` days after it ends (DST-proof)."""
    _, following_day = month_first_days(month)
    return local_midnight(following_day + dt.timedelta(days=grace_days), zone)


@dataclass(frozen=True)
class DueReport:
    started: list[str]
    refused: list[str]
    opened: list[str]
    resumed: list[str] = field(default_factory=list)
    emails_interrupted: int = 0  # left "sending" by a crash, now failed for staff to check

    def __str__(self):
        parts = [
            ngettext("%(count)s close started", "%(count)s closes started", len(self.started))
            % {"count": len(self.started)},
            ngettext("%(count)s period opened", "%(count)s periods opened", len(self.opened))
            % {"count": len(self.opened)},
        ]
        if self.emails_interrupted:
            parts.append(
                ngettext(
                    "%(count)s e-mail interrupted while sending marked failed",
                    "%(count)s e-mails interrupted while sending marked failed",
                    self.emails_interrupted,
                )
                % {"count": self.emails_interrupted}
            )
        if self.resumed:
            parts.append(gettext("%(count)s stuck resumed: %(which)s") % _listed(self.resumed))
        if self.refused:
            parts.append(gettext("%(count)s refused: %(which)s") % _listed(self.refused))
        return ", ".join(parts) + "."


def _listed(texts: list[str]) -> dict:
    return {"count": len(texts), "which": "; ".join(texts)}


def periods_close_due(*, grace_days: int | None = None, now: dt.datetime | None = None) -> DueReport:
    """Close every community's months whose grace days are over, and open the months after them.

    What is due is worked out from the periods' statuses, not from when the schedule last ran:
    a missed run (cluster down for days or months) is caught up by the next one, month by month
    from the month after the last closed (or closing) period, and a period already closing or
    closed is never closed again. A community that never closed anything starts with the latest
    due month. Incomplete periods are not forced: the refusal is recorded on the period for staff.
    First, work stuck for longer than ``LEG_STUCK_AFTER_MINUTES`` (a close without progress, PDFs
    still pending: their tasks were lost with a killed cluster) is queued again, and e-mails still
    "sending" after it are marked failed for staff to check and resend (``deliveries_interrupted_fail``).
    """
    grace = _checked_grace_days(settings.LEG_CLOSE_GRACE_DAYS if grace_days is None else grace_days)
    now = now or timezone.now()
    report = DueReport(started=[], refused=[], opened=[], emails_interrupted=deliveries_interrupted_fail(now=now))
    for stuck in selectors.stuck_work(now=now).periods:
        _resume_stuck(stuck, report)
    for community in Community.objects.order_by("slug"):
        for month in _months_due(community, now=now, grace_days=grace):
            _close_scheduled(community, month, report)
    return report


def months_due_at(*, at: dt.datetime, grace_days: int) -> list[str]:
    """``slug YYYY-MM`` of each month a run at ``at`` would try to close, so that staff (and the
    demo's user) are told before it happens; a month with gaps will be refused then, not forced."""
    grace = _checked_grace_days(grace_days)
    return [
        f"{community.slug} {month}"
        for community in Community.objects.order_by("slug")
        for month in _months_due(community, now=at, grace_days=grace)
    ]


def _months_due(community: Community, *, now: dt.datetime, grace_days: int) -> list[str]:
    """The community's months to close now, oldest first."""
    zone = community.zone
    latest_due = _month_before(period_id_of(now, zone))
    if close_due_at(month=latest_due, zone=zone, grace_days=grace_days) > now:
        latest_due = _month_before(latest_due)
    last_closed = (
        community.periods.exclude(status=SettlementPeriod.Status.OPEN)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    month = _month_after(last_closed) if last_closed else latest_due
    # Open periods before the last closed one (skipped by hand) are due as well.
    due = list(
        community.periods.filter(status=SettlementPeriod.Status.OPEN, month__lt=month).values_list("month", flat=True)
    )
    while month <= latest_due:
        due.append(month)
        month = _month_after(month)
    return sorted(due)


def _resume_stuck(stuck: selectors.StuckPeriod, report: DueReport) -> None:
    """Queue again what a lost task left of one period (``period_close_resume``), as staff would."""
    label = f"{stuck.period.community.slug} {stuck.period.month}"
    try:
        period_close_resume(period=stuck.period, actor_name=SCHEDULE_ACTOR)
    except ValidationError as error:
        report.refused.append(f"{label}: {' '.join(error.messages)}")
        return
    report.resumed.append(f"{label}: {stuck.what}")


def _close_scheduled(community: Community, month: str, report: DueReport) -> None:
    """Start one scheduled close and open the month after it; a refusal goes on the period's record."""
    period = period_get_or_create(community=community, month=month)
    try:
        period_close_start(period=period, actor_name=SCHEDULE_ACTOR)
    except ValidationError as error:
        message = " ".join(error.messages)
        report.refused.append(f"{community.slug} {month}: {message}")
        with transaction.atomic():
            lifecycle.note(
                obj=period, what=texts.SCHEDULED_CLOSE_REFUSED, actor_name=SCHEDULE_ACTOR, details={"error": message}
            )
        return
    report.started.append(f"{community.slug} {month}")
    following = _month_after(month)
    if not community.periods.filter(month=following).exists():
        period_get_or_create(community=community, month=following)
        report.opened.append(f"{community.slug} {following}")


def close_schedule_ensure(*, grace_days: int, run_at: dt.time, now: dt.datetime | None = None):
    """The one django-q2 schedule that runs ``periods_close_due`` daily, created or brought up to date.

    Idempotent: run on every start, it changes nothing when the schedule already matches, and
    keeps the next run it had (so restarting the server does not postpone a due run).
    Returns ``(schedule, "created" | "updated" | "unchanged")``.
    """
    from django_q.models import Schedule

    _checked_grace_days(grace_days)
    now = now or timezone.now()
    next_run = dt.datetime.combine(now.astimezone(dt.UTC).date(), run_at, tzinfo=dt.UTC)
    if next_run <= now:
        next_run += dt.timedelta(days=1)
    wanted = {
        "func": CLOSE_SCHEDULE_FUNC,
        "args": None,
        # django-q2 keeps kwargs as the text of a call's keyword arguments and evaluates it.
        "kwargs": f"grace_days={int(grace_days)}",
        "schedule_type": Schedule.DAILY,
        "repeats": -1,
    }
    with transaction.atomic():
        schedules = list(Schedule.objects.select_for_update().filter(name=CLOSE_SCHEDULE_NAME).order_by("pk"))
        if not schedules:
            return Schedule.objects.create(name=CLOSE_SCHEDULE_NAME, next_run=next_run, **wanted), "created"
        schedule, duplicates = schedules[0], schedules[1:]
        for duplicate in duplicates:
            duplicate.delete()
        changed = [name for name, value in wanted.items() if getattr(schedule, name) != value]
        current_time = schedule.next_run.astimezone(dt.UTC).time() if schedule.next_run else None
        if current_time != run_at:
            schedule.next_run = next_run
            changed.append("next_run")
        if not changed and not duplicates:
            return schedule, "unchanged"
        for name, value in wanted.items():
            setattr(schedule, name, value)
        schedule.save()
        return schedule, "updated"
