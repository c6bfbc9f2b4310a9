from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug

from ... import exports, selectors
from ._arguments import existing_period

FORMATS = ("csv", "json", "xlsx", "zip")
BINARY_FORMATS = ("xlsx", "zip")


class Command(BaseCommand):
    help = (
        "Write one community's invoices of a month in the spec's format (section 3.1) as CSV, XLSX or JSON "
        "(the spec's period object, 3.2), or the month's stored PDFs as a ZIP."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="Community slug.")
        parser.add_argument("--period", required=True, help="Month as YYYY-MM.")
        parser.add_argument("--format", required=True, choices=FORMATS, dest="output_format")
        parser.add_argument("--output", help="File to write; standard output when left out (csv and json only).")
        parser.add_argument("--drafts", action="store_true", help="Export the drafts instead of the issued invoices.")

    def handle(self, *args, community, period, output_format, output, drafts, **options):
        if output is None and output_format in BINARY_FORMATS:
            raise CommandError(f"--format {output_format} writes a binary file: give --output FILE.")
        settlement_period = existing_period(community_by_slug(community), period)
        if output_format == "zip":
            self._write_zip(settlement_period, Path(output))
            return
        invoices = selectors.invoices_for_export(period=settlement_period, drafts=drafts)
        records = [exports.invoice_record(invoice) for invoice in invoices]
        if output_format == "xlsx":
            content = exports.records_to_xlsx(records)
        elif output_format == "json":
            content = exports.period_to_json(settlement_period, records)
        else:
            content = exports.records_to_csv(records)
        if output is None:
            self.stdout.write(content, ending="")
            return
        self._write(Path(output), [content.encode() if isinstance(content, str) else content])
        self.stderr.write(f"Wrote {len(records)} invoices to {output}.")

    def _write_zip(self, period, target: Path):
        documents = exports.month_pdfs(period=period)
        try:
            chunks = exports.month_pdfs_zip(period=period)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._write(target, chunks)
        self.stderr.write(f"Wrote {len(documents)} PDFs to {target}.")

    def _write(self, target: Path, chunks):
        """Chunk by chunk, so a ZIP of the month's PDFs is never held in memory whole."""
        try:
            with target.open("wb") as stream:
                for chunk in chunks:
                    stream.write(chunk)
        except OSError as error:
            raise CommandError(f"Cannot write {target}: {error.strerror}.") from None
