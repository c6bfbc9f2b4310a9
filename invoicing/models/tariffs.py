import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from core.local_time import local_midnight

from ..pricing import Prices
from .fields import PRICE_FIELD
from .periods import SettlementPeriod

# What a tariff decides: a change to any of these reprices its days.
PRICING_FIELDS = (
    "community_id",
    "valid_from",
    "mode",
    "p_pv_ct_per_kwh",
    "p_con_ct_per_kwh",
    "p_grid_del_ct_per_kwh",
    "p_grid_con_ct_per_kwh",
)


class TariffManager(models.Manager):
    def get_by_natural_key(self, community_slug, valid_from):
        """Fixtures name a tariff by its community's slug and its first day, so loading one twice updates it."""
        return self.get(community__slug=community_slug, valid_from=valid_from)


class Tariff(models.Model):
    """A version of a community's prices, in force from ``valid_from`` until the next version.

    ``valid_from`` is the day a person typed: the tariff starts at 00:00 of that day in the
    community's time zone (``starts_at``), as periods and house activity do.
    """

    class Mode(models.TextChoices):
        FIXED = "fixed", _("Fixed: p_pv and p_con in every interval")
        BREAK_EVEN = "break_even", _("Break-even: house prices set per interval so the community breaks even")

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="tariffs"
    )
    valid_from = models.DateField(
        _("valid from"),
        help_text=_("In force from 00:00 of this day in the community's time zone until the next tariff's start."),
    )
    p_pv_ct_per_kwh = models.DecimalField(
        _("p_pv (ct/kWh)"),
        default=Decimal("20"),
        help_text=_("PV delivery: paid to a house per kWh it exports."),
        **PRICE_FIELD,
    )
    p_con_ct_per_kwh = models.DecimalField(
        _("p_con (ct/kWh)"),
        default=Decimal("25"),
        help_text=_("House consumption: charged per kWh a house imports."),
        **PRICE_FIELD,
    )
    p_grid_del_ct_per_kwh = models.DecimalField(
        _("p_grid_del (ct/kWh)"),
        default=Decimal("6"),
        help_text=_("Grid delivery: what the grid pays the community."),
        **PRICE_FIELD,
    )
    p_grid_con_ct_per_kwh = models.DecimalField(
        _("p_grid_con (ct/kWh)"),
        default=Decimal("30"),
        help_text=_("Grid consumption: what the community pays the grid."),
        **PRICE_FIELD,
    )
    mode = models.CharField(
        _("mode"),
        max_length=12,
        choices=Mode.choices,
        default=Mode.FIXED,
        help_text=_(
            "Break-even derives each interval's house prices from p_pv and the grid prices "
            "(LEG-Invoicing FSD 14.5); p_con is then only a reference."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TariffManager()

    class Meta:
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        ordering = ["community", "-valid_from"]
        get_latest_by = "valid_from"
        constraints = [
            models.UniqueConstraint(fields=["community", "valid_from"], name="one_tariff_per_community_and_start"),
        ]

    def __str__(self):
        return gettext("%(community)s tariff from %(day)s") % {
            "community": self.community,
            "day": f"{self.valid_from:%Y-%m-%d}",
        }

    def natural_key(self):
        return (*self.community.natural_key(), self.valid_from.isoformat())

    natural_key.dependencies = ["communities.community"]

    @property
    def starts_at(self) -> dt.datetime:
        """The instant (UTC) the tariff comes into force: local midnight of ``valid_from``."""
        return local_midnight(self.valid_from, self.community.zone)

    @property
    def is_break_even(self) -> bool:
        return self.mode == self.Mode.BREAK_EVEN

    @property
    def prices(self) -> Prices:
        return Prices(
            p_pv=self.p_pv_ct_per_kwh,
            p_con=self.p_con_ct_per_kwh,
            p_grid_del=self.p_grid_del_ct_per_kwh,
            p_grid_con=self.p_grid_con_ct_per_kwh,
        )

    def clean(self):
        super().clean()
        if self.valid_from is None or self.community_id is None:
            return
        closed = self.closed_periods_repriced()
        if closed:
            earliest = max(period.end for period in closed).astimezone(self.community.zone).date()
            months = ", ".join(sorted(period.month for period in closed))
            raise ValidationError(
                ngettext(
                    "%(community)s: %(months)s is closed, and this tariff would change the prices it was billed "
                    "with. A new tariff may start on %(earliest)s or later.",
                    "%(community)s: %(months)s are closed, and this tariff would change the prices they were "
                    "billed with. A new tariff may start on %(earliest)s or later.",
                    len(closed),
                ),
                code="reprices_closed_period",
                params={"community": self.community, "months": months, "earliest": earliest},
            )

    def closed_periods_repriced(self) -> list[SettlementPeriod]:
        """Closing or closed periods whose prices this tariff, as it stands, would change if saved.

        A tariff prices the days from its start to the next version's start. A new tariff changes
        that span; an edit changes its old span and its new one (moving the start reprices the days
        in between); saving it unchanged changes nothing.
        """
        stored = Tariff.objects.filter(pk=self.pk).select_related("community").first() if self.pk else None
        if stored is not None and all(getattr(stored, name) == getattr(self, name) for name in PRICING_FIELDS):
            return []
        spans = [stored._span(exclude_pk=self.pk)] if stored is not None else []
        return _closed_periods_overlapping([*spans, self._span(exclude_pk=self.pk)])

    def closed_periods_priced(self) -> list[SettlementPeriod]:
        """Closing or closed periods this stored tariff prices: deleting it would reprice them."""
        return _closed_periods_overlapping([self._span(exclude_pk=self.pk)])

    def _span(self, *, exclude_pk) -> tuple[int, dt.datetime, dt.datetime | None]:
        """``(community, start, end)``: the instants this tariff prices, up to the next version (or open)."""
        following = (
            Tariff.objects.filter(community_id=self.community_id, valid_from__gt=self.valid_from)
            .exclude(pk=exclude_pk)
            .order_by("valid_from")
            .values_list("valid_from", flat=True)
            .first()
        )
        zone = self.community.zone
        return self.community_id, local_midnight(self.valid_from, zone), following and local_midnight(following, zone)


def _closed_periods_overlapping(spans) -> list[SettlementPeriod]:
    overlapping = models.Q()
    for community_id, start, end in spans:
        overlapping |= models.Q(community_id=community_id, end__gt=start, **({"start__lt": end} if end else {}))
    return list(SettlementPeriod.objects.exclude(status=SettlementPeriod.Status.OPEN).filter(overlapping))
