import datetime as dt
from decimal import Decimal

from django.db import models

from communities.models import Community
from core.local_time import local_midnight

from ..pricing import Prices
from .fields import PRICE_FIELD


class Tariff(models.Model):
    """A version of a community's prices, in force from ``valid_from`` until the next version.

    ``valid_from`` is the day a person typed: the tariff starts at 00:00 of that day in the
    community's time zone (``starts_at``), as periods and house activity do.
    """

    class Mode(models.TextChoices):
        FIXED = "fixed", "Fixed: p_pv and p_con in every interval"
        BREAK_EVEN = "break_even", "Break-even: house prices set per interval so the community breaks even"

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="tariffs")
    valid_from = models.DateField(
        help_text="In force from 00:00 of this day in the community's time zone until the next tariff's start."
    )
    p_pv_ct_per_kwh = models.DecimalField(
        "p_pv (ct/kWh)",
        default=Decimal("20"),
        help_text="PV delivery: paid to a house per kWh it exports.",
        **PRICE_FIELD,
    )
    p_con_ct_per_kwh = models.DecimalField(
        "p_con (ct/kWh)",
        default=Decimal("25"),
        help_text="House consumption: charged per kWh a house imports.",
        **PRICE_FIELD,
    )
    p_grid_del_ct_per_kwh = models.DecimalField(
        "p_grid_del (ct/kWh)",
        default=Decimal("6"),
        help_text="Grid delivery: what the grid pays the community.",
        **PRICE_FIELD,
    )
    p_grid_con_ct_per_kwh = models.DecimalField(
        "p_grid_con (ct/kWh)",
        default=Decimal("30"),
        help_text="Grid consumption: what the community pays the grid.",
        **PRICE_FIELD,
    )
    mode = models.CharField(
        max_length=12,
        choices=Mode.choices,
        default=Mode.FIXED,
        help_text="Break-even derives each interval's house prices from p_pv and the grid prices "
        "(LEG-Invoicing FSD 14.5); p_con is then only a reference.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["community", "-valid_from"]
        get_latest_by = "valid_from"
        constraints = [
            models.UniqueConstraint(fields=["community", "valid_from"], name="one_tariff_per_community_and_start"),
        ]

    def __str__(self):
        return f"{self.community} tariff from {self.valid_from:%Y-%m-%d}"

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
