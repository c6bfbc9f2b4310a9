from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup`: replaces the database's content and adds the stored "
        "PDFs to MEDIA_ROOT. Stop the web server and the task cluster first; run `manage.py verify_billing` after."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The archive written by `manage.py backup`.")

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"No backup at {file}.")
        try:
            manifest = backup_restore(source=file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {file} (made {manifest['created_at']}): {manifest['database']} database, "
                f"{manifest['media_files']} media files."
            )
        )
