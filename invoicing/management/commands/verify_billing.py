import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug

from ... import services
from ._arguments import checked_period_id


class Command(BaseCommand):
    help = (
        "Recompute every issued invoice and frozen statement from the stored readings and tariffs, and check "
        "number series, one live invoice per house and month, and stored PDFs against their checksums. "
        "Exits 1 when anything is found; the result is kept for the admin index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", help="Community slug (default: all).")
        parser.add_argument("--period", help="Month as YYYY-MM (default: all months).")
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Instead of verifying now, create (or bring up to date) the django-q2 schedule that verifies "
            f"every night at LEG_VERIFY_RUN_AT (UTC, now {settings.LEG_VERIFY_RUN_AT}). Idempotent.",
        )

    def handle(self, *args, community, period, schedule, **options):
        if schedule:
            self._schedule()
            return
        target = community_by_slug(community) if community else None
        month = checked_period_id(period) if period else None
        report = services.billing_verify_and_record(community=target, month=month)
        if not report.is_clean:
            raise CommandError(str(report), returncode=1)
        self.stdout.write(self.style.SUCCESS(str(report)))

    def _schedule(self):
        try:
            run_at = dt.time.fromisoformat(settings.LEG_VERIFY_RUN_AT)
        except ValueError:
            raise CommandError(f"LEG_VERIFY_RUN_AT={settings.LEG_VERIFY_RUN_AT!r} is not a time like 03:30.") from None
        schedule, outcome = services.verification_schedule_ensure(run_at=run_at)
        self.stdout.write(f"Verification schedule {outcome}: daily at {schedule.next_run:%H:%M} UTC.")
