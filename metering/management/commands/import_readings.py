"""``manage.py import_readings FILE --community SLUG [--dry-run]``: the admin's import, scriptable."""

from django.core.management.base import BaseCommand, CommandError

from communities.management.lookups import community_by_slug
from metering.imports import readings_import


class Command(BaseCommand):
    help = (
        "Import meter readings (interval energies or cumulative counters; CSV or XLSX, detected) into one "
        "community. All or nothing: a file with any error writes nothing. Exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (',' or ';') or XLSX file")
        parser.add_argument("--community", required=True, help="slug of the community, e.g. sonnenfeld")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file, community, dry_run, **options):
        target = community_by_slug(community)
        try:
            with open(file, "rb") as handle:
                result = readings_import(community=target, fileobj=handle, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot open {file}: {error.strerror}.") from None

        self.stdout.write(
            f"File:       {file} ({result.file_kind or 'unreadable'}, {result.kind or 'unknown'} readings)"
        )
        self.stdout.write(f"Rows read:  {result.rows_read}")
        self.stdout.write(f"Created:    {result.created}")
        self.stdout.write(f"Updated:    {result.updated}")
        self.stdout.write(f"Unchanged:  {result.unchanged}")
        self.stdout.write(f"Errors:     {result.error_count}")
        self.stdout.write(f"Duration:   {result.seconds:.1f} s")
        if result.ok:
            note = " Dry run: nothing was written." if dry_run else ""
            self.stdout.write(self.style.SUCCESS(f"Import of {file} into {target.slug} complete.{note}"))
            return
        for error in result.errors:
            self.stderr.write(str(error))
        hidden = result.error_count - len(result.errors)
        if hidden:
            self.stderr.write(f"… and {hidden} more errors.")
        raise CommandError(f"{result.error_count} errors: nothing was imported. Correct the file and run again.")
