"""Meter data: readings, the ranges a closed period freezes, meter changes, counter states, imports.

These models began in ``communities`` and moved here without moving data: each keeps its table
(``db_table``) and its constraint names, so an upgraded database is untouched.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, House, import_upload_path
from core.energy import wh_to_kwh

from .frozen import FROZEN_REASONS, frozen_refusal

# A reading describes energy already measured: an interval may start at most this far after now
# (clock skew, a day-ahead export); anything later is a wrong year or time zone, e.g. 2099.
FUTURE_TOLERANCE = dt.timedelta(days=2)
FUTURE_MESSAGE = (
    "lies in the future (more than 2 days after now): readings are measured energy. "
    "Check the year and the time zone of the export."
)


def latest_reading_start() -> dt.datetime:
    return timezone.now() + FUTURE_TOLERANCE


class FrozenRange(models.Model):
    """A stretch ``[start, end)`` of a community's meter data that may no longer change.

    Invoicing writes one when it closes a settlement period; readings inside it can then be
    neither created, changed nor deleted, by import, admin or code. Kept here rather than as a
    look-up of invoicing's periods so that meter data never depends on the billing app.
    """

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="frozen_ranges"
    )
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    reason = models.CharField(
        _("reason"), max_length=200, help_text=_("Why it is frozen, e.g. 'Period 2026-01 closed'.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("frozen range")
        verbose_name_plural = _("frozen ranges")
        db_table = "communities_frozenrange"
        ordering = ["community", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="frozen_range_start_before_end"),
            models.UniqueConstraint(fields=["community", "start"], name="one_frozen_range_per_community_and_start"),
        ]

    def __str__(self):
        return f"{self.community}: {self.reason}"

    @property
    def reason_shown(self) -> str:
        return FROZEN_REASONS.shown(self.reason)


class FrozenMeterDataError(ValidationError):
    pass


def frozen_range_at(*, community_id: int, instant: dt.datetime) -> FrozenRange | None:
    return FrozenRange.objects.filter(community_id=community_id, start__lte=instant, end__gt=instant).first()


class MeterReadingQuerySet(models.QuerySet):
    def frozen(self):
        """Readings inside a frozen range of their community."""
        return self.filter(
            Exists(
                FrozenRange.objects.filter(
                    community=OuterRef("house__community"),
                    start__lte=OuterRef("interval_start"),
                    end__gt=OuterRef("interval_start"),
                )
            )
        )

    def _refuse_frozen(self, verb: str):
        blocked = self.frozen().select_related("house").first()
        if blocked is not None:
            frozen = frozen_range_at(community_id=blocked.house.community_id, instant=blocked.interval_start)
            raise FrozenMeterDataError(
                frozen_refusal(verb, blocked.house.house_id, blocked.interval_start, frozen.reason)
            )

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        house_ids = {obj.house_id for obj in objs}
        ranges = list(
            FrozenRange.objects.filter(community__houses__in=house_ids).values_list("community_id", "start", "end")
        )
        if ranges:
            community_of = dict(House.objects.filter(pk__in=house_ids).values_list("pk", "community_id"))
            for obj in objs:
                community_id = community_of[obj.house_id]
                if any(c == community_id and start <= obj.interval_start < end for c, start, end in ranges):
                    obj._refuse_if_frozen("create")
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        self._refuse_frozen("change")
        return super().update(**kwargs)

    def delete(self):
        self._refuse_frozen("delete")
        return super().delete()


class MeterReading(models.Model):
    """Energy a house exported and imported in one metering interval.

    Stored as integer watt-hours: SQLite keeps decimals as floating point and its SUM drifts
    (589.368500000001), while integer sums are exact on every database.
    """

    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="readings")
    interval_start = models.DateTimeField(_("interval start"), help_text=_("Start of the metering interval (UTC)."))
    exported_wh = models.BigIntegerField(
        _("exported wh"), help_text=_("Energy the house delivered to the community, Wh.")
    )
    imported_wh = models.BigIntegerField(_("imported wh"), help_text=_("Energy the house took from the community, Wh."))
    # db_default: the file import's raw INSERTs do not name the column.
    estimated = models.BooleanField(
        _("estimated"),
        default=False,
        db_default=False,
        help_text=_("Spread over an outage of the live meter feed rather than measured interval by interval."),
    )

    objects = MeterReadingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meter reading")
        verbose_name_plural = _("meter readings")
        db_table = "communities_meterreading"
        ordering = ["house", "interval_start"]
        constraints = [
            # Also the index behind every per-house period sum: (house, interval range).
            models.UniqueConstraint(fields=["house", "interval_start"], name="one_reading_per_house_and_interval"),
            models.CheckConstraint(condition=Q(exported_wh__gte=0), name="reading_exported_wh_non_negative"),
            models.CheckConstraint(condition=Q(imported_wh__gte=0), name="reading_imported_wh_non_negative"),
        ]
        indexes = [
            # The readings list (newest first, the id breaking ties) and joins on the interval alone.
            models.Index(fields=["interval_start", "id"], name="reading_by_interval"),
            # Every column a close sums, in (house, interval) order: the per-house sums of a month
            # read this index alone instead of jumping to each row (on SQLite 14x faster at 900k
            # readings written interval by interval, as the live feed writes them).
            models.Index(
                fields=["house", "interval_start", "exported_wh", "imported_wh", "estimated"],
                name="reading_sums_by_house",
            ),
        ]

    def __str__(self):
        return f"{self.house.house_id} @ {self.interval_start:%Y-%m-%d %H:%M}Z"

    def save(self, *args, **kwargs):
        # Every save is checked like an imported row: code and generic resources do not call clean().
        self.clean()
        if self.pk is not None:
            # A reading moved out of a frozen range would change that range too.
            stored = MeterReading.objects.filter(pk=self.pk).values_list("interval_start", flat=True).first()
            if stored is not None and stored != self.interval_start:
                MeterReading(house=self.house, interval_start=stored)._refuse_if_frozen("move")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_frozen("delete")
        return super().delete(*args, **kwargs)

    def _refuse_if_frozen(self, verb: str) -> None:
        frozen = frozen_range_at(community_id=self.house.community_id, instant=self.interval_start)
        if frozen is not None:
            raise FrozenMeterDataError(frozen_refusal(verb, self.house.house_id, self.interval_start, frozen.reason))

    def clean(self):
        """The rules the import engine applies to every row, for every other way in (admin forms,
        code, django-import-export resources): aligned, plausible, not ahead of the clock, a house
        that belongs to the community then, and not inside a closed period."""
        if self.interval_start is None or self.house_id is None:
            return
        self._refuse_if_frozen("save")
        community = self.house.community
        minutes = community.interval_minutes
        start = self.interval_start.astimezone(community.zone)
        errors = {}
        if start.second or start.microsecond or start.minute % minutes:
            errors["interval_start"] = (
                f"Interval starts must be aligned to {minutes} minutes (e.g. 10:00, 10:{minutes:02d})."
            )
        elif self.interval_start > latest_reading_start():
            errors["interval_start"] = FUTURE_MESSAGE
        else:
            active_from, active_until = self.house.active_range()
            if self.interval_start < active_from or (active_until is not None and self.interval_start >= active_until):
                errors["interval_start"] = f"{self.house.house_id} does not belong to {community.slug} at this time."
        limit_wh = community.max_interval_wh()
        for name in ("exported_wh", "imported_wh"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= limit_wh:
                errors[name] = f"Must be between 0 and {limit_wh} Wh, the plausibility limit of {community.slug}."
        if errors:
            raise ValidationError(errors)

    @property
    def exported_kwh(self) -> Decimal:
        return wh_to_kwh(self.exported_wh)

    @property
    def imported_kwh(self) -> Decimal:
        return wh_to_kwh(self.imported_wh)


class MeterChange(models.Model):
    """A meter of a house replaced (or its registers reset) at ``changed_at``, recorded by staff.

    Cumulative register imports use it to bridge the two counters: the interval that straddles
    ``changed_at`` gets ``(old final - last old reading) + (first new reading - new start)``.
    Counter readings at or after ``changed_at`` belong to the new meter. Without a recorded
    change a counter that goes down is an import error, never negative energy.
    """

    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="meter_changes")
    changed_at = models.DateTimeField(
        _("changed at"), help_text=_("When the old meter stopped counting and the new one started.")
    )
    old_ei_final_kwh = models.DecimalField(
        _("old ei final kwh"),
        max_digits=15,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_(
            "Last 'energy in' (Ei) value of the old meter, if it was read; empty: no energy after its last reading."
        ),
    )
    old_eo_final_kwh = models.DecimalField(
        _("old eo final kwh"),
        max_digits=15,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Last 'energy out' (Eo) value of the old meter, if it was read."),
    )
    new_ei_start_kwh = models.DecimalField(
        _("new ei start kwh"),
        max_digits=15,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("'Energy in' (Ei) of the new meter when fitted."),
    )
    new_eo_start_kwh = models.DecimalField(
        _("new eo start kwh"),
        max_digits=15,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("'Energy out' (Eo) of the new meter when fitted."),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("e.g. 'meter replaced by grid operator, ticket 4711'.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meter change")
        verbose_name_plural = _("meter changes")
        db_table = "communities_meterchange"
        ordering = ["house", "-changed_at"]
        constraints = [
            models.UniqueConstraint(fields=["house", "changed_at"], name="one_meter_change_per_house_and_instant"),
            models.CheckConstraint(
                condition=Q(new_ei_start_kwh__gte=0) & Q(new_eo_start_kwh__gte=0),
                name="meter_change_start_values_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.house.house_id}: meter change at {self.changed_at:%Y-%m-%d %H:%M}Z"


class RegisterState(models.Model):
    """The last cumulative counter values imported for a house (Wh), to continue the next file from.

    One row per house, moved forward by each register import whose last reading is newer. A file
    that starts after ``read_at`` gets its first interval from this state; a file that overlaps
    it (a re-import, a correction) is converted from its own rows only.
    """

    house = models.OneToOneField(
        House, verbose_name=_("house"), on_delete=models.CASCADE, primary_key=True, related_name="register_state"
    )
    read_at = models.DateTimeField(_("read at"))
    ei_wh = models.BigIntegerField(_("ei wh"), help_text=_("Energy in (imported) counter, Wh."))
    eo_wh = models.BigIntegerField(_("eo wh"), help_text=_("Energy out (exported) counter, Wh."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("register state")
        verbose_name_plural = _("register states")
        db_table = "communities_registerstate"

    def __str__(self):
        return f"{self.house_id} @ {self.read_at:%Y-%m-%d %H:%M}Z"


class ImportJob(models.Model):
    """One meter-data file imported in the background; the admin's import-job list shows these.

    The upload lives in ``default_storage`` (MEDIA_ROOT), so whichever worker runs the job can
    read it, whichever web process received it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    file = models.FileField(_("file"), upload_to=import_upload_path, max_length=300)
    original_name = models.CharField(_("original name"), max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(
        _("rows total"), default=0, help_text=_("Data rows in the file (estimated from its lines).")
    )
    rows_done = models.PositiveIntegerField(_("rows done"), default=0, help_text=_("Rows read and checked so far."))
    created_count = models.PositiveIntegerField(_("created count"), default=0)
    updated_count = models.PositiveIntegerField(_("updated count"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged count"), default=0)
    error_count = models.PositiveIntegerField(_("error count"), default=0)
    errors = models.JSONField(
        _("errors"), default=list, blank=True, help_text=_("The first few hundred errors of the file.")
    )
    language = models.CharField(
        _("language"),
        max_length=15,
        blank=True,
        help_text=_("The language of the person who started the import: its row errors are written in it."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        db_table = "communities_importjob"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def duration(self) -> dt.timedelta | None:
        if self.started_at is None:
            return None
        return (self.finished_at or dt.datetime.now(dt.UTC)) - self.started_at


# The live feed's models (metering/live/models.py) and the readings' version, registered as metering's.
from metering.live.models import LiveMeterState, MeterEvent, MeterToken, UnknownMeter  # noqa: E402, F401
from metering.versions import ReadingsVersion  # noqa: E402, F401
