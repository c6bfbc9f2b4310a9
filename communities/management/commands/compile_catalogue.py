from django.core.management.base import BaseCommand

from communities.catalogue import LOCALE_DIR, compile_catalogues


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/*.po into .mo files where the .po is newer (./dev does it too)."

    def handle(self, *args, **options):
        written = compile_catalogues()
        for path in written:
            self.stdout.write(f"compiled {path.relative_to(LOCALE_DIR.parent)}")
        if not written:
            self.stdout.write("every catalogue is up to date")
