import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from ... import services


def run_at_time(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--run-at {value!r} is not a time of day like 02:30.") from None


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the django-q2 schedule that closes each community's previous month "
        "a number of grace days after it ends, and opens the next. Idempotent: ./dev start runs it every time."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace-days",
            type=int,
            default=settings.LEG_CLOSE_GRACE_DAYS,
            help=f"Days after a month ends before it is closed (default LEG_CLOSE_GRACE_DAYS={settings.LEG_CLOSE_GRACE_DAYS}).",
        )
        parser.add_argument(
            "--run-at",
            default=settings.LEG_CLOSE_RUN_AT,
            help=f"Daily run time, UTC, HH:MM (default LEG_CLOSE_RUN_AT={settings.LEG_CLOSE_RUN_AT}).",
        )
        parser.add_argument("--run-now", action="store_true", help="Also close what is due right now, in this process.")

    def handle(self, *args, grace_days, run_at, run_now, **options):
        try:
            schedule, outcome = services.close_schedule_ensure(grace_days=grace_days, run_at=run_at_time(run_at))
            self.stdout.write(
                f"Closing schedule {outcome}: daily at {schedule.next_run:%H:%M} UTC (next {schedule.next_run:%Y-%m-%d}), "
                f"closing each month {grace_days} days after it ends."
            )
            due = services.months_due_at(at=schedule.next_run, grace_days=grace_days)
            when = f"{schedule.next_run:%Y-%m-%d %H:%M} UTC"
            self.stdout.write(
                gettext(
                    "Its next run (%(when)s, while the task cluster runs) closes %(months)s, where the readings are complete."
                )
                % {"when": when, "months": ", ".join(due)}
                if due
                else gettext("Its next run (%(when)s, while the task cluster runs) closes nothing.") % {"when": when}
            )
            if run_now:
                self.stdout.write(str(services.periods_close_due(grace_days=grace_days)))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
