import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import local_time
from core.banking import compact_iban, validate_bic, validate_iban


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            _("%(value)r is not an IANA time zone name such as Europe/Berlin or UTC."), params={"value": value}
        )


# What the invoice's footer holds on one A4 page beside the break-even charts and the bank details.
LEGAL_NOTE_MAX_CHARACTERS, LEGAL_NOTE_MAX_LINES = 400, 4


def validate_legal_note(value: str) -> None:
    lines = len(value.splitlines())
    if lines > LEGAL_NOTE_MAX_LINES:
        raise ValidationError(
            _("The legal note has %(lines)d lines; an invoice prints at most %(limit)d. Join some lines."),
            params={"lines": lines, "limit": LEGAL_NOTE_MAX_LINES},
        )


class CommunityManager(models.Manager):
    def get_by_natural_key(self, slug):
        """Fixtures (``manage.py loaddata fixtures/...``) name a community by its slug, never by its row id."""
        return self.get(slug=slug)


class Community(models.Model):
    """A local energy community: the billing party, with its own calendar and letterhead."""

    class IntervalMinutes(models.IntegerChoices):
        FIVE = 5, _("5 minutes")
        TEN = 10, _("10 minutes")
        QUARTER_HOUR = 15, _("15 minutes")
        HALF_HOUR = 30, _("30 minutes")
        HOUR = 60, _("60 minutes")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=60, unique=True, help_text=_("Used on the command line, e.g. --community sonnenfeld.")
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Europe/Berlin. Periods run from local midnight to local midnight."),
    )
    interval_minutes = models.PositiveSmallIntegerField(
        _("interval minutes"),
        choices=IntervalMinutes.choices,
        default=IntervalMinutes.QUARTER_HOUR,
        help_text=_("Length of one metering interval."),
    )
    invoice_prefix = models.CharField(
        _("invoice prefix"),
        max_length=12,
        default="INV",
        validators=[RegexValidator(r"^[A-Z0-9]+$", _("Use capital letters and digits only, e.g. INV or SOL."))],
        help_text=_("Invoice numbers read PREFIX-YEAR-NNN, e.g. INV-2026-001."),
    )
    legal_name = models.CharField(
        _("legal name"), max_length=200, help_text=_("Name printed in the invoice letterhead.")
    )
    address = models.TextField(_("address"), help_text=_("Postal address for the letterhead, one line per line."))
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    tax_id = models.CharField(
        _("tax number or VAT ID"),
        max_length=40,
        blank=True,
        help_text=_("Printed on every invoice, e.g. DE123456789 or 12/345/67890."),
    )
    legal_note = models.TextField(
        _("legal note"),
        blank=True,
        max_length=LEGAL_NOTE_MAX_CHARACTERS,
        validators=[MaxLengthValidator(LEGAL_NOTE_MAX_CHARACTERS), validate_legal_note],
        help_text=_(
            "Printed at the foot of every invoice as written, e.g. the VAT statement your accountant "
            "prescribes; at most 400 characters on 4 lines, so the invoice stays on one page. Nothing is "
            "computed from it."
        ),
    )
    iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        validators=[validate_iban],
        help_text=_("Account members transfer to; printed in groups of four."),
    )
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    bank_name = models.CharField(_("bank name"), max_length=100, blank=True)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms days"), default=14, help_text=_("Days from the invoice date to its due date.")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("en", "English"), ("de", "Deutsch")],
        default="en",
        help_text=_("Language of invoices, statements and e-mails to members."),
    )
    send_invoices_when_closed = models.BooleanField(
        _("send invoices when closed"),
        default=False,
        help_text=_("E-mail each invoice to its member as soon as the month is closed."),
    )
    max_kwh_per_quarter_hour = models.DecimalField(
        _("max kwh per quarter hour"),
        max_digits=9,
        decimal_places=3,
        default=Decimal("50"),
        help_text=_(
            "Plausibility limit for one house's import or export in a quarter hour; "
            "scaled with the interval length (a 60-minute interval allows four times as much)."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommunityManager()

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        super().clean()
        self.iban = compact_iban(self.iban)
        self.bic = self.bic.strip().upper()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def max_interval_wh(self) -> int:
        """The plausibility limit for one interval of this community's length, in whole Wh.

        The limit is a power (50 kWh per quarter hour = 200 kW), so it scales linearly with
        the interval: 5-minute data allows a third of it, hourly data four times it.
        """
        return int(self.max_kwh_per_quarter_hour * 1000 * self.interval_minutes // 15)


class HouseQuerySet(models.QuerySet):
    def active_between(self, first_day: dt.date, last_day: dt.date):
        """Houses active on at least one day of ``[first_day, last_day]`` (inclusive local dates)."""
        return self.filter(active_from__lte=last_day).filter(
            Q(active_until__isnull=True) | Q(active_until__gte=first_day)
        )


class House(models.Model):
    """A metering point in a community and the member billed for it."""

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="houses"
    )
    house_id = models.CharField(
        _("house id"),
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Letters, digits, '_', '.' and '-' only, e.g. house_1."))],
        help_text=_("The identifier used in meter data files, e.g. house_1."),
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Display name, e.g. Sonnenweg 3."))
    owner_name = models.CharField(_("owner name"), max_length=200, help_text=_("Member the invoice is addressed to."))
    address = models.TextField(_("address"), help_text=_("Postal address, one line per line."))
    email = models.EmailField(_("email"), blank=True)
    meter_id = models.CharField(
        _("meter id"),
        max_length=64,
        blank=True,
        help_text=_("The smart meter's serial number (SML 'SMid', e.g. 1ESY1160123456), for live meter data."),
    )
    active_from = models.DateField(
        _("active from"), help_text=_("First day (local date) the house belongs to the community.")
    )
    active_until = models.DateField(
        _("active until"), null=True, blank=True, help_text=_("Last day (local date) it belongs; empty while it stays.")
    )

    objects = HouseQuerySet.as_manager()

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["community", "house_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "house_id"], name="house_id_unique_per_community"),
            models.UniqueConstraint(
                fields=["meter_id"],
                condition=~Q(meter_id=""),
                name="house_meter_id_unique",
                violation_error_message=_("Another house already has this meter ID."),
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=F("active_from")),
                name="house_active_until_not_before_active_from",
                violation_error_message=_("'Active until' cannot be before 'active from'."),
            ),
        ]

    def __str__(self):
        return f"{self.house_id} ({self.name})"

    def save(self, *args, **kwargs):
        self._refuse_moving_an_invoiced_house()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self._refuse_moving_an_invoiced_house()

    def _refuse_moving_an_invoiced_house(self) -> None:
        """An issued invoice names the house by its key, in its community: moving the house to another
        community or renaming its key would make the member's copy and the books disagree.

        Invoicing's invoices point here as ``invoices``; asked through that reverse relation because
        communities never imports invoicing. The database refuses it too (invoicing migration 0006).
        """
        if self.pk is None or not hasattr(self, "invoices"):
            return
        stored = House.objects.filter(pk=self.pk).values_list("community_id", "house_id").first()
        if stored is None or stored == (self.community_id, self.house_id):
            return
        if self.invoices.exclude(status="draft").exists():
            raise ValidationError(
                _(
                    "%(house)s has issued invoices: it keeps its community and its house ID. "
                    "Record the member as a new house instead (and set 'Active until' on this one)."
                ),
                params={"house": stored[1]},
            )

    def active_range(self) -> tuple[dt.datetime, dt.datetime | None]:
        """The UTC instants ``[start, end)`` the house is active; ``end`` is None while open-ended."""
        zone = self.community.zone
        start = local_time.local_midnight(self.active_from, zone)
        if self.active_until is None:
            return start, None
        return start, local_time.local_midnight(self.active_until + dt.timedelta(days=1), zone)


# Lives here because migration 0003_meter_data_import names it; metering.ImportJob uses it from here.
def import_upload_path(job, filename: str) -> str:
    return f"meter-imports/{dt.date.today():%Y/%m}/{filename}"


class CommunityManager(models.Model):
    """A staff user's membership of a community: a manager changes its data, an auditor only looks.

    The admin shows a staff user only the objects of communities they belong to (``core.admin``'s
    ``CommunityScopedAdminMixin``); superusers see every community without a membership.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="community_memberships"
    )
    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.CASCADE, related_name="managers"
    )
    is_auditor = models.BooleanField(
        _("auditor"), default=False, help_text=_("Read-only: the user sees this community's data but changes nothing.")
    )

    class Meta:
        verbose_name = _("community membership")
        verbose_name_plural = _("community memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="community_manager_unique_per_user"),
        ]

    def __str__(self):
        role = _("auditor") if self.is_auditor else _("manager")
        return f"{self.user} ({role}: {self.community})"
