from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Community


class SettlementPeriod(models.Model):
    """One calendar month of one community, ``[start, end)`` from local midnight to local midnight."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="periods"
    )
    month = models.CharField(_("month"), max_length=7, help_text=_("YYYY-MM"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), help_text=_("Exclusive: the first instant after the period."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    close_started_at = models.DateTimeField(_("close started at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_forced_reason = models.TextField(
        _("close forced reason"),
        blank=True,
        help_text=_("Why the period was closed although readings were missing; empty unless forced."),
    )
    close_forced_by = models.CharField(
        _("close forced by"), max_length=150, blank=True, help_text=_("Who forced the close (user name).")
    )
    houses_to_invoice = models.PositiveIntegerField(
        _("houses to invoice"),
        null=True,
        blank=True,
        help_text=_("Houses active in the period when the close began: the progress total."),
    )

    class Meta:
        verbose_name = _("settlement period")
        verbose_name_plural = _("settlement periods")
        ordering = ["community", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="one_period_per_community_and_month"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="period_start_before_end"),
        ]
        # Issuing or closing despite missing readings bills members from incomplete data: a
        # right of its own, beyond changing invoices (services.periods.period_gate checks it).
        permissions = [
            ("close_period", _("Can close a period (and resume its close)")),
            ("force_period", _("Can force issuing or closing a period with missing readings")),
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
