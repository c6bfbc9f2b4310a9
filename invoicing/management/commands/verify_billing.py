from django.core.management.base import BaseCommand, CommandError

from ... import services
from ._arguments import checked_period_id, community_by_slug


class Command(BaseCommand):
    help = (
        "Recompute every issued invoice and frozen statement from the stored readings and tariffs, and check "
        "number series, one live invoice per house and month, and stored PDFs against their checksums. "
        "Exits 1 when anything is found; the result is kept for the admin index."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", help="Community slug (default: all).")
        parser.add_argument("--period", help="Month as YYYY-MM (default: all months).")

    def handle(self, *args, community, period, **options):
        target = community_by_slug(community) if community else None
        month = checked_period_id(period) if period else None
        report = services.billing_verify_and_record(community=target, month=month)
        if not report.is_clean:
            raise CommandError(str(report), returncode=1)
        self.stdout.write(self.style.SUCCESS(str(report)))
