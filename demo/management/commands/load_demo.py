from django.core.management.base import BaseCommand

from demo import sonnenfeld


class Command(BaseCommand):
    help = (
        f"Load the demo community {sonnenfeld.DEMO_SLUG!r}: 8 houses, the default tariff, {sonnenfeld.DEMO_PERIOD_ID} readings "
        "in quarter hours and draft invoices. Safe to run again: only what is missing is created."
    )

    def handle(self, *args, **options):
        report = sonnenfeld.demo_load()
        target = f"{sonnenfeld.DEMO_SLUG} {sonnenfeld.DEMO_PERIOD_ID}"
        if report.skipped_because:
            self.stderr.write(self.style.WARNING(f"Demo drafts not generated: {report.skipped_because}."))
        if not report.changed_anything:
            self.stdout.write(f"Demo data already loaded ({target}); nothing changed.")
            return
        parts = []
        if report.community_created:
            parts.append("community created")
        if report.houses_created:
            parts.append(f"{report.houses_created} houses")
        if report.tariffs_created:
            parts.append(f"{report.tariffs_created} tariff")
        if report.readings_created:
            parts.append(f"{report.readings_created:,} readings")
        if report.period_created:
            parts.append(f"period {sonnenfeld.DEMO_PERIOD_ID}")
        if report.generation is not None:
            parts.append(f"drafts {report.generation}")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded ({target}): " + "; ".join(parts) + "."))
