"""``manage.py purge_import_files``: delete uploaded meter-data files kept past LEG_IMPORT_KEEP_DAYS."""

from django.conf import settings
from django.core.management.base import BaseCommand

from metering.imports.jobs import import_files_purge


class Command(BaseCommand):
    help = (
        "Delete uploaded meter-data files of finished import jobs older than LEG_IMPORT_KEEP_DAYS, and import-page "
        "uploads never confirmed (after a day at least). Run it daily; with LEG_IMPORT_KEEP_DAYS=0 job files are "
        "already deleted when their job ends."
    )

    def handle(self, *args, **options):
        deleted = import_files_purge()
        self.stdout.write(f"Deleted {deleted} uploaded files (kept: {settings.LEG_IMPORT_KEEP_DAYS} days).")
