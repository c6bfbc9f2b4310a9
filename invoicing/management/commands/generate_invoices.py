from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ... import services
from ._arguments import checked_period_id, community_by_slug


class Command(BaseCommand):
    help = "Create or refresh the draft invoices of one community's month; --issue also numbers and issues them."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--issue", action="store_true", help="Issue the drafts: give numbers, freeze them.")

    def handle(self, *args, community, period, issue, **options):
        community = community_by_slug(community)
        try:
            settlement_period = services.period_get_or_create(community=community, month=checked_period_id(period))
            if issue:
                report = services.invoices_issue(period=settlement_period)
                self.stdout.write(f"{community.slug} {period}: drafts {report.generation}.")
                self.stdout.write(self.style.SUCCESS(str(report)))
            else:
                report = services.invoices_generate(period=settlement_period)
                self.stdout.write(self.style.SUCCESS(f"{community.slug} {period}: drafts {report}."))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
