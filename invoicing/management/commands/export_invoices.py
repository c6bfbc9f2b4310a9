from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ... import exports, selectors
from ._arguments import community_by_slug, existing_period

WRITERS = {"csv": exports.records_to_csv, "json": exports.records_to_json}


class Command(BaseCommand):
    help = "Write one community's invoices of a month in the spec's format (section 3.1) as CSV or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--format", required=True, choices=sorted(WRITERS), dest="output_format")
        parser.add_argument("--output", help="File to write; standard output when left out.")
        parser.add_argument("--drafts", action="store_true", help="Export the drafts instead of the issued invoices.")

    def handle(self, *args, community, period, output_format, output, drafts, **options):
        settlement_period = existing_period(community_by_slug(community), period)
        invoices = selectors.invoices_for_export(period=settlement_period, drafts=drafts)
        text = WRITERS[output_format]([exports.invoice_record(invoice) for invoice in invoices])
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stderr.write(f"Wrote {len(invoices)} invoices to {output}.")
