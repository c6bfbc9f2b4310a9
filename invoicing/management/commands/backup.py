from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Write one archive (tar.gz) with the whole database (pg_dump on PostgreSQL, SQLite's online backup) "
        "and the stored PDFs of MEDIA_ROOT. Safe while the web server and the task cluster run."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive to write, e.g. legbilling-2026-02-01.tar.gz.")

    def handle(self, *args, file, **options):
        try:
            manifest = backup_create(target=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup written to {file}: {manifest['database']} database, {manifest['media_files']} media files."
            )
        )
