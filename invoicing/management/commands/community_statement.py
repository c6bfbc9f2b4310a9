from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug

from ...pricing import NoTariffError
from ...statement import statement_for, statement_to_csv, statement_to_json, statement_to_xlsx
from ._arguments import existing_period

WRITERS = {"csv": statement_to_csv, "json": statement_to_json, "xlsx": statement_to_xlsx}


class Command(BaseCommand):
    help = "Print a community's settlement statement of a month: energy, grid exchange, money, break-even p_con."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--format", choices=sorted(WRITERS), default="json", dest="output_format")
        parser.add_argument("--output", help="File to write; standard output when left out (csv and json only).")

    def handle(self, *args, community, period, output_format, output, **options):
        if output is None and output_format == "xlsx":
            raise CommandError("--format xlsx writes a binary file: give --output FILE.")
        settlement_period = existing_period(community_by_slug(community), period)
        try:
            statement = statement_for(period=settlement_period)
        except NoTariffError as error:
            raise CommandError(str(error)) from None
        content = WRITERS[output_format](statement)
        if output is None:
            self.stdout.write(content, ending="")
            return
        try:
            Path(output).write_bytes(content.encode() if isinstance(content, str) else content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
