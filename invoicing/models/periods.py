from django.db import models
from django.db.models import Q

from communities.models import Community


class SettlementPeriod(models.Model):
    """One calendar month of one community, ``[start, end)`` from local midnight to local midnight."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="periods")
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    start = models.DateTimeField()
    end = models.DateTimeField(help_text="Exclusive: the first instant after the period.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    close_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_forced_reason = models.TextField(
        blank=True, help_text="Why the period was closed although readings were missing; empty unless forced."
    )
    close_forced_by = models.CharField(max_length=150, blank=True, help_text="Who forced the close (user name).")
    houses_to_invoice = models.PositiveIntegerField(
        null=True, blank=True, help_text="Houses active in the period when the close began: the progress total."
    )

    class Meta:
        ordering = ["community", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="one_period_per_community_and_month"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="period_start_before_end"),
        ]
        # Issuing or closing despite missing readings bills members from incomplete data: a
        # right of its own, beyond changing invoices (services.periods.period_gate checks it).
        permissions = [
            ("close_period", "Can close a period (and resume its close)"),
            ("force_period", "Can force issuing or closing a period with missing readings"),
        ]

    def __str__(self):
        return f"{self.community} {self.month}"

    @property
    def year(self) -> int:
        return int(self.month[:4])


class PeriodIntervalEnergy(models.Model):
    """The energy all billed houses of a closing or closed period exported and imported in one interval.

    Written once when a close freezes the meter data: every close step prices its break-even
    intervals, and the close freezes its statement, from these few thousand rows instead of
    summing millions of readings again per step (the readings cannot change while they stand).
    """

    period = models.ForeignKey(SettlementPeriod, on_delete=models.CASCADE, related_name="interval_energy")
    interval_start = models.DateTimeField()
    exported_wh = models.BigIntegerField()
    imported_wh = models.BigIntegerField()

    class Meta:
        ordering = ["period", "interval_start"]
        constraints = [
            models.UniqueConstraint(fields=["period", "interval_start"], name="one_energy_per_period_and_interval"),
        ]

    def __str__(self):
        return f"{self.period} @ {self.interval_start:%Y-%m-%d %H:%M}Z"
