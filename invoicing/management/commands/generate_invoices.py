import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug

from ... import services
from ._arguments import checked_period_id


class Command(BaseCommand):
    help = (
        "Create or refresh the draft invoices of one community's month; --issue also numbers and issues them, "
        "behind the same gate as a close: the month has ended and its readings are complete (or --force "
        "--reason). The command acts as your OS user, which is trusted to force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--issue", action="store_true", help="Issue the drafts: give numbers, freeze them.")
        parser.add_argument(
            "--force", action="store_true", help="With --issue: issue although readings are missing (needs --reason)."
        )
        parser.add_argument("--reason", default="", help="Why a forced issue is right; recorded with your name.")

    def handle(self, *args, community, period, issue, force, reason, **options):
        if (force or reason) and not issue:
            raise CommandError("--force and --reason apply to --issue only.")
        if reason and not force:
            raise CommandError("--reason is recorded only with --force; add --force or drop --reason.")
        community = community_by_slug(community)
        try:
            settlement_period = services.period_get_or_create(community=community, month=checked_period_id(period))
            if issue:
                report = services.invoices_issue(
                    period=settlement_period,
                    actor_name=f"{getpass.getuser()} (generate_invoices command)",
                    force=force,
                    reason=reason,
                )
                self.stdout.write(f"{community.slug} {period}: drafts {report.generation}.")
                self.stdout.write(self.style.SUCCESS(str(report)))
            else:
                report = services.invoices_generate(period=settlement_period)
                self.stdout.write(self.style.SUCCESS(f"{community.slug} {period}: drafts {report}."))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
