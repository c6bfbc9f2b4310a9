from django.apps import AppConfig


class MeteringConfig(AppConfig):
    name = "metering"
    verbose_name = "Meter data"

    def ready(self):
        from core.audit import audit

        from .models import FrozenRange, MeterChange, MeterReading

        # Readings one by one (the admin); an import writes one summary entry per file instead.
        audit(MeterReading, MeterChange, FrozenRange)
