from django.core.management.base import BaseCommand, CommandError

from ...pricing import NoTariffError
from ...statement import statement_for, statement_to_csv, statement_to_json
from ._arguments import community_by_slug, existing_period

WRITERS = {"csv": statement_to_csv, "json": statement_to_json}


class Command(BaseCommand):
    help = "Print a community's settlement statement of a month: energy, grid exchange, money, break-even p_con."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--format", choices=sorted(WRITERS), default="json", dest="output_format")

    def handle(self, *args, community, period, output_format, **options):
        settlement_period = existing_period(community_by_slug(community), period)
        try:
            statement = statement_for(period=settlement_period)
        except NoTariffError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(WRITERS[output_format](statement), ending="")
