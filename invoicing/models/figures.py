from django.db import models

from .periods import SettlementPeriod


class KeptPeriodFigures(models.Model):
    """A period's live statement and completeness as last computed, with the key of what they
    were computed from: the readings' version (counted by database triggers), the houses, the
    tariffs and the calendar. A page shows them while the key still matches and recomputes
    otherwise, instead of summing millions of readings on every view."""

    period = models.OneToOneField(SettlementPeriod, on_delete=models.CASCADE, related_name="+")
    inputs_key = models.CharField(max_length=64, help_text="SHA-256 of the inputs the figures were computed from.")
    statement_json = models.TextField(blank=True, help_text="statement_to_json of the live statement.")
    no_tariff = models.TextField(blank=True, help_text="Why there is no statement: a day without a tariff.")
    completeness = models.JSONField(default=list, help_text="Each billable house's expected and present intervals.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "kept period figures"

    def __str__(self):
        return f"{self.period}: figures of {self.computed_at:%Y-%m-%d %H:%M}Z"
