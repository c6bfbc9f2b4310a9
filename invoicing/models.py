from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from communities.models import Community, House

from .pricing import Prices

PRICE_FIELD = {"max_digits": 10, "decimal_places": 4, "validators": [MinValueValidator(Decimal("0"))]}
# Energies are whole Wh (three decimals of kWh); amounts are kWh x price to the last digit, so
# seven decimals. Fifteen digits in all is what SQLite stores exactly (it keeps decimals as
# doubles), and still covers a million euros.
ENERGY_FIELD = {"max_digits": 15, "decimal_places": 3}
AMOUNT_FIELD = {"max_digits": 15, "decimal_places": 7}


class Tariff(models.Model):
    """A version of a community's prices, in force from ``valid_from`` until the next version."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="tariffs")
    valid_from = models.DateTimeField(help_text="In force from this instant until the next tariff's start.")
    p_pv_ct_per_kwh = models.DecimalField(
        "p_pv (ct/kWh)", default=Decimal("20"), help_text="PV delivery: paid to a house per kWh it exports.", **PRICE_FIELD
    )
    p_con_ct_per_kwh = models.DecimalField(
        "p_con (ct/kWh)", default=Decimal("25"), help_text="House consumption: charged per kWh a house imports.", **PRICE_FIELD
    )
    p_grid_del_ct_per_kwh = models.DecimalField(
        "p_grid_del (ct/kWh)", default=Decimal("6"), help_text="Grid delivery: what the grid pays the community.", **PRICE_FIELD
    )
    p_grid_con_ct_per_kwh = models.DecimalField(
        "p_grid_con (ct/kWh)", default=Decimal("30"), help_text="Grid consumption: what the community pays the grid.", **PRICE_FIELD
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["community", "-valid_from"]
        get_latest_by = "valid_from"
        constraints = [
            models.UniqueConstraint(fields=["community", "valid_from"], name="one_tariff_per_community_and_start"),
        ]

    def __str__(self):
        return f"{self.community} tariff from {self.valid_from:%Y-%m-%d %H:%M} UTC"

    @property
    def prices(self) -> Prices:
        return Prices(
            p_pv=self.p_pv_ct_per_kwh,
            p_con=self.p_con_ct_per_kwh,
            p_grid_del=self.p_grid_del_ct_per_kwh,
            p_grid_con=self.p_grid_con_ct_per_kwh,
        )


class SettlementPeriod(models.Model):
    """One calendar month of one community, ``[start, end)`` from local midnight to local midnight."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSING = "closing", "Closing"
        CLOSED = "closed", "Closed"

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="periods")
    period_id = models.CharField(max_length=7, help_text="YYYY-MM")
    start = models.DateTimeField()
    end = models.DateTimeField(help_text="Exclusive: the first instant after the period.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["community", "-period_id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "period_id"], name="one_period_per_community_and_month"),
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="period_start_before_end"),
        ]

    def __str__(self):
        return f"{self.community} {self.period_id}"

    @property
    def year(self) -> int:
        return int(self.period_id[:4])


class InvoiceQuerySet(models.QuerySet):
    def live(self):
        """Invoices that count: every status but cancelled."""
        return self.exclude(status=Invoice.Status.CANCELLED)

    def issued(self):
        return self.filter(status__in=Invoice.ISSUED_STATUSES)


class Invoice(models.Model):
    """A house's bill for one settlement period: a draft until issued, then a frozen document.

    Positive ``net_amount_ct`` means the community owes the house. ``recipient_*`` copy the
    house's details at generation time, so an issued invoice keeps the name and address it was
    sent with even when the house record changes later.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PENDING = "pending", "Pending (issued)"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    ISSUED_STATUSES = (Status.PENDING, Status.PAID, Status.CANCELLED)

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="invoices")
    house = models.ForeignKey(House, on_delete=models.PROTECT, related_name="invoices")
    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="invoices")
    invoice_id = models.CharField(
        max_length=40, null=True, blank=True, editable=False, help_text="Given when the invoice is issued."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField(help_text="Exclusive end of the period.")
    energy_exported_kwh = models.DecimalField(**ENERGY_FIELD)
    energy_imported_kwh = models.DecimalField(**ENERGY_FIELD)
    export_revenue_ct = models.DecimalField(**AMOUNT_FIELD)
    import_cost_ct = models.DecimalField(**AMOUNT_FIELD)
    net_amount_ct = models.DecimalField(**AMOUNT_FIELD)
    recipient_name = models.CharField(max_length=200)
    recipient_address = models.TextField()
    house_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["period", "house__house_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "period"],
                condition=~Q(status="cancelled"),
                name="one_live_invoice_per_house_and_period",
            ),
            models.UniqueConstraint(fields=["community", "invoice_id"], name="invoice_number_unique_per_community"),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(invoice_id__isnull=True) & Q(issued_at__isnull=True))
                | (~Q(status="draft") & Q(invoice_id__isnull=False) & Q(issued_at__isnull=False)),
                name="invoice_number_exactly_when_issued",
            ),
        ]
        indexes = [models.Index(fields=["period", "status"], name="invoice_period_status")]

    def __str__(self):
        return self.invoice_id or f"Draft {self.house.house_id} {self.period.period_id}"

    @property
    def is_issued(self) -> bool:
        return self.status in self.ISSUED_STATUSES


class InvoiceLine(models.Model):
    """The part of an invoice priced with one tariff version.

    A period priced with one tariff has one line; a tariff change inside the period splits the
    invoice into one line per tariff, each with the prices it was priced with.
    """

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+")
    segment_start = models.DateTimeField()
    segment_end = models.DateTimeField()
    energy_exported_kwh = models.DecimalField(**ENERGY_FIELD)
    energy_imported_kwh = models.DecimalField(**ENERGY_FIELD)
    p_pv_ct_per_kwh = models.DecimalField("p_pv (ct/kWh)", max_digits=10, decimal_places=4)
    p_con_ct_per_kwh = models.DecimalField("p_con (ct/kWh)", max_digits=10, decimal_places=4)
    export_revenue_ct = models.DecimalField(**AMOUNT_FIELD)
    import_cost_ct = models.DecimalField(**AMOUNT_FIELD)

    class Meta:
        ordering = ["invoice", "segment_start"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "segment_start"], name="one_line_per_invoice_segment"),
        ]

    def __str__(self):
        return f"{self.invoice} from {self.segment_start:%Y-%m-%d %H:%M}"


class InvoiceNumberCounter(models.Model):
    """The last number given in one series (e.g. INV) of one community and year.

    Locked with SELECT ... FOR UPDATE by the issuing transaction, so concurrent issuers queue up
    and a rolled-back issue gives its numbers back.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    series = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "series", "year"], name="one_counter_per_series_and_year"),
        ]

    def __str__(self):
        return f"{self.community} {self.series}-{self.year}: {self.last_number}"
