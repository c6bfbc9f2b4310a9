import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from . import local_time
from .energy import wh_to_kwh


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone name such as Europe/Berlin or UTC.")


class Community(models.Model):
    """A local energy community: the billing party, with its own calendar and letterhead."""

    class IntervalMinutes(models.IntegerChoices):
        FIVE = 5, "5 minutes"
        TEN = 10, "10 minutes"
        QUARTER_HOUR = 15, "15 minutes"
        HALF_HOUR = 30, "30 minutes"
        HOUR = 60, "60 minutes"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, help_text="Used on the command line, e.g. --community sonnenfeld.")
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin. Periods run from local midnight to local midnight.",
    )
    interval_minutes = models.PositiveSmallIntegerField(
        choices=IntervalMinutes.choices,
        default=IntervalMinutes.QUARTER_HOUR,
        help_text="Length of one metering interval.",
    )
    invoice_prefix = models.CharField(
        max_length=12,
        default="INV",
        validators=[RegexValidator(r"^[A-Z0-9]+$", "Use capital letters and digits only, e.g. INV or SOL.")],
        help_text="Invoice numbers read PREFIX-YEAR-NNN, e.g. INV-2026-001.",
    )
    legal_name = models.CharField(max_length=200, help_text="Name printed in the invoice letterhead.")
    address = models.TextField(help_text="Postal address for the letterhead, one line per line.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class HouseQuerySet(models.QuerySet):
    def active_between(self, first_day: dt.date, last_day: dt.date):
        """Houses active on at least one day of ``[first_day, last_day]`` (inclusive local dates)."""
        return self.filter(active_from__lte=last_day).filter(
            Q(active_until__isnull=True) | Q(active_until__gte=first_day)
        )


class House(models.Model):
    """A metering point in a community and the member billed for it."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="houses")
    house_id = models.CharField(
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", "Letters, digits, '_', '.' and '-' only, e.g. house_1.")],
        help_text="The identifier used in meter data files, e.g. house_1.",
    )
    name = models.CharField(max_length=200, help_text="Display name, e.g. Sonnenweg 3.")
    owner_name = models.CharField(max_length=200, help_text="Member the invoice is addressed to.")
    address = models.TextField(help_text="Postal address, one line per line.")
    email = models.EmailField(blank=True)
    active_from = models.DateField(help_text="First day (local date) the house belongs to the community.")
    active_until = models.DateField(
        null=True, blank=True, help_text="Last day (local date) it belongs; empty while it stays."
    )

    objects = HouseQuerySet.as_manager()

    class Meta:
        ordering = ["community", "house_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "house_id"], name="house_id_unique_per_community"),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=F("active_from")),
                name="house_active_until_not_before_active_from",
                violation_error_message="'Active until' cannot be before 'active from'.",
            ),
        ]

    def __str__(self):
        return f"{self.house_id} ({self.name})"

    def active_range(self) -> tuple[dt.datetime, dt.datetime | None]:
        """The UTC instants ``[start, end)`` the house is active; ``end`` is None while open-ended."""
        zone = self.community.zone
        start = local_time.local_midnight(self.active_from, zone)
        if self.active_until is None:
            return start, None
        return start, local_time.local_midnight(self.active_until + dt.timedelta(days=1), zone)


class MeterReading(models.Model):
    """Energy a house exported and imported in one metering interval.

    Stored as integer watt-hours: SQLite keeps decimals as floating point and its SUM drifts
    (589.368500000001), while integer sums are exact on every database.
    """

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="readings")
    interval_start = models.DateTimeField(help_text="Start of the metering interval (UTC).")
    exported_wh = models.BigIntegerField(help_text="Energy the house delivered to the community, Wh.")
    imported_wh = models.BigIntegerField(help_text="Energy the house took from the community, Wh.")

    class Meta:
        ordering = ["house", "interval_start"]
        constraints = [
            # Also the index behind every per-house period sum: (house, interval range).
            models.UniqueConstraint(fields=["house", "interval_start"], name="one_reading_per_house_and_interval"),
            models.CheckConstraint(condition=Q(exported_wh__gte=0), name="reading_exported_wh_non_negative"),
            models.CheckConstraint(condition=Q(imported_wh__gte=0), name="reading_imported_wh_non_negative"),
        ]

    def __str__(self):
        return f"{self.house.house_id} @ {self.interval_start:%Y-%m-%d %H:%M}Z"

    def clean(self):
        if self.interval_start is None or self.house_id is None:
            return
        minutes = self.house.community.interval_minutes
        start = self.interval_start.astimezone(self.house.community.zone)
        if start.second or start.microsecond or start.minute % minutes:
            raise ValidationError(
                {"interval_start": f"Interval starts must be aligned to {minutes} minutes (e.g. 10:00, 10:{minutes:02d})."}
            )

    @property
    def exported_kwh(self) -> Decimal:
        return wh_to_kwh(self.exported_wh)

    @property
    def imported_kwh(self) -> Decimal:
        return wh_to_kwh(self.imported_wh)
