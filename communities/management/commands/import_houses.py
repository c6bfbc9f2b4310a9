"""``manage.py import_houses FILE --community SLUG [--dry-run]``: the admin's houses import, scriptable."""

from django.core.management.base import BaseCommand, CommandError

from communities.house_import import houses_import
from communities.management.lookups import community_by_slug


class Command(BaseCommand):
    help = (
        "Import or update a community's houses from CSV or XLSX (key: house_id). All or nothing: a file with "
        "any bad row writes nothing. Importing the same file again changes nothing. Exits 1 on errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (',' or ';') or XLSX file with a header row")
        parser.add_argument("--community", required=True, help="slug of the community, e.g. sonnenfeld")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")

    def handle(self, *args, file, community, dry_run, **options):
        target = community_by_slug(community)
        try:
            with open(file, "rb") as handle:
                report = houses_import(community=target, fileobj=handle, dry_run=dry_run)
        except OSError as error:
            raise CommandError(f"Cannot open {file}: {error.strerror}.") from None

        self.stdout.write(f"File:       {file}")
        self.stdout.write(f"Rows read:  {report.rows}")
        self.stdout.write(f"New:        {report.new}")
        self.stdout.write(f"Updated:    {report.updated}")
        self.stdout.write(f"Unchanged:  {report.unchanged}")
        self.stdout.write(f"Errors:     {len(report.problems)}")
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(report.problems)} errors: nothing was imported. Correct the file and run again.")
        note = " Dry run: nothing was written." if dry_run else ""
        if not report.changed_anything:
            self.stdout.write(f"Nothing changed: every house in the file is already stored as it is.{note}")
            return
        self.stdout.write(self.style.SUCCESS(f"Import of {file} into {target.slug} complete.{note}"))
