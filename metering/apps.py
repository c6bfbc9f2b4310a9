from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeteringConfig(AppConfig):
    name = "metering"
    verbose_name = _("Meter data")

    def ready(self):
        from core.audit import audit

        from .models import FrozenRange, MeterChange, MeterReading

        # Readings one by one (the admin); an import writes one summary entry per file instead.
        audit(MeterReading, MeterChange, FrozenRange)
