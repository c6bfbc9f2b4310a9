"""What the live feed keeps: each meter's state, the events staff resolve, the meters nobody knows.

Imported by ``metering.models`` so Django (and its migrations) see them as metering's models.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import House

REGISTER = {"max_digits": 18, "decimal_places": 6}


class LiveMeterState(models.Model):
    """A house's meter as the live feed last saw it, and the open interval's reading so far."""

    house = models.OneToOneField(House, on_delete=models.CASCADE, primary_key=True, related_name="live_state")
    last_message_at = models.DateTimeField(_("last message"), help_text=_("The device's time of its last message."))
    ei_kwh = models.DecimalField(_("energy in (Ei), kWh"), **REGISTER)
    eo_kwh = models.DecimalField(_("energy out (Eo), kWh"), **REGISTER)
    open_start = models.DateTimeField(_("open interval"))
    open_imported_wh = models.BigIntegerField(default=0)
    open_exported_wh = models.BigIntegerField(default=0)
    open_estimated = models.BooleanField(default=False)
    messages = models.PositiveBigIntegerField(_("messages"), default=0)
    refused_frozen = models.PositiveBigIntegerField(
        _("refused (closed period)"), default=0, help_text=_("Readings refused because their period is closed.")
    )
    refused_inactive = models.PositiveBigIntegerField(
        _("refused (house inactive)"), default=0, help_text=_("Readings outside the house's active days.")
    )
    received_at = models.DateTimeField(_("received"), help_text=_("When the last message arrived here."))

    class Meta:
        verbose_name = _("live meter")
        verbose_name_plural = _("live meters")
        ordering = ["house"]

    def __str__(self):
        return str(self.house.house_id)


class MeterEvent(models.Model):
    """Something in a meter's feed that staff should look at, e.g. a register that went back."""

    class Kind(models.TextChoices):
        WENT_BACK = "went_back", _("register went back (meter replaced or reset)")
        LARGE = "large", _("reading above the plausibility limit (kept)")

    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="meter_events")
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    previous_ei_kwh = models.DecimalField(null=True, blank=True, **REGISTER)
    previous_eo_kwh = models.DecimalField(null=True, blank=True, **REGISTER)
    ei_kwh = models.DecimalField(null=True, blank=True, **REGISTER)
    eo_kwh = models.DecimalField(null=True, blank=True, **REGISTER)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meter event")
        verbose_name_plural = _("meter events")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(fields=["house", "at", "kind"], name="one_meter_event_per_house_instant_kind"),
        ]

    def __str__(self):
        return f"{self.house.house_id}: {self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}Z"


class UnknownMeter(models.Model):
    """Messages from a meter no house claims: counted here, not dropped silently."""

    key = models.CharField(_("meter ID or device"), max_length=200, unique=True)
    topic = models.CharField(_("last topic"), max_length=300)
    messages = models.PositiveBigIntegerField(_("messages"), default=0)
    first_seen = models.DateTimeField(_("first seen"))
    last_seen = models.DateTimeField(_("last seen"))
    last_payload = models.TextField(_("last payload"), blank=True)

    class Meta:
        verbose_name = _("unknown meter")
        verbose_name_plural = _("unknown meters")
        ordering = ["-last_seen"]

    def __str__(self):
        return self.key


class MeterToken(models.Model):
    """The bearer token a meter or gateway pushes readings with over HTTP; only its hash is kept.

    SHA-256 without salt is enough: the token is 256 random bits, not a password to guess.
    """

    house = models.OneToOneField(House, on_delete=models.CASCADE, related_name="meter_token")
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("starts with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now=True)

    class Meta:
        verbose_name = _("meter API token")
        verbose_name_plural = _("meter API tokens")
        ordering = ["house"]

    def __str__(self):
        return f"meter-token:{self.pk}"
