from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.models import Community, House

from .fields import AMOUNT_FIELD, ENERGY_FIELD
from .periods import SettlementPeriod
from .stored_pdfs import IssuedDocumentError, StoredPdf
from .tariffs import Tariff

# Fields an issued invoice may still change: its status (pending -> paid | cancelled, through
# invoicing.lifecycle) and its stored PDF. Everything else is the frozen document.
INVOICE_FIELDS_MUTABLE_AFTER_ISSUE = frozenset({"status", "updated_at", *StoredPdf.PDF_FIELDS})


class InvoiceQuerySet(models.QuerySet):
    def live(self):
        """Invoices that count: every status but cancelled."""
        return self.exclude(status=Invoice.Status.CANCELLED)

    def issued(self):
        return self.filter(status__in=Invoice.ISSUED_STATUSES)

    def update(self, **kwargs):
        frozen = set(kwargs) - INVOICE_FIELDS_MUTABLE_AFTER_ISSUE
        if frozen:
            blocked = self.issued().first()
            if blocked is not None:
                raise IssuedDocumentError(
                    f"Invoice {blocked.number} is issued; its {', '.join(sorted(frozen))} never change. "
                    "Cancel it to correct it."
                )
        return super().update(**kwargs)

    def delete(self):
        blocked = self.issued().first()
        if blocked is not None:
            raise IssuedDocumentError(
                f"Invoice {blocked.number} is issued and can never be deleted; cancel it instead."
            )
        return super().delete()


class Invoice(StoredPdf):
    """A house's bill for one settlement period: a draft until issued, then a frozen document.

    Positive ``net_amount_ct`` means the community owes the house. ``recipient_*``, ``house_name``
    and ``house_key`` copy the house's details at generation time, so an issued invoice keeps the
    name, address and house identifier it was sent with even when the house record changes later.
    The database refuses changes to an issued invoice too (triggers of migration 0006).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending (issued)")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    ISSUED_STATUSES = (Status.PENDING, Status.PAID, Status.CANCELLED)

    community = models.ForeignKey(
        Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="invoices"
    )
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT, related_name="invoices")
    period = models.ForeignKey(
        SettlementPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(  # noqa: DJ001 - NULL until issued: unique ignores NULLs, '' would collide
        _("number"),
        max_length=40,
        null=True,
        blank=True,
        editable=False,
        help_text=_("Given when the invoice is issued."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"), help_text=_("Exclusive end of the period."))
    energy_exported_kwh = models.DecimalField(_("energy exported kwh"), **ENERGY_FIELD)
    energy_imported_kwh = models.DecimalField(_("energy imported kwh"), **ENERGY_FIELD)
    export_revenue_ct = models.DecimalField(_("export revenue ct"), **AMOUNT_FIELD)
    import_cost_ct = models.DecimalField(_("import cost ct"), **AMOUNT_FIELD)
    net_amount_ct = models.DecimalField(_("net amount ct"), **AMOUNT_FIELD)
    recipient_name = models.CharField(_("recipient name"), max_length=200)
    recipient_address = models.TextField(_("recipient address"))
    house_name = models.CharField(_("house name"), max_length=200)
    house_key = models.CharField(
        _("house key"),
        max_length=64,
        editable=False,
        help_text=_("The house's identifier (house_id) when the invoice was drafted."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(
        _("due date"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Set when issued: the invoice date plus the community's payment terms. "
            "Stored, so the document and later reminders agree even if the terms change."
        ),
    )

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["period", "house__house_id"]
        permissions = [("cancel_invoice", _("Can cancel an issued invoice and re-issue it"))]
        constraints = [
            models.UniqueConstraint(
                fields=["house", "period"],
                condition=~Q(status="cancelled"),
                name="one_live_invoice_per_house_and_period",
            ),
            models.UniqueConstraint(fields=["community", "number"], name="invoice_number_unique_per_community"),
            models.CheckConstraint(
                condition=(Q(status="draft") & Q(number__isnull=True) & Q(issued_at__isnull=True))
                | (~Q(status="draft") & Q(number__isnull=False) & Q(issued_at__isnull=False)),
                name="invoice_number_exactly_when_issued",
            ),
        ]
        indexes = [
            models.Index(fields=["period", "status"], name="invoice_period_status"),
            # The admin's invoice list, newest period first, and its "issued" month filter.
            models.Index(fields=["-period_start", "house_key", "-id"], name="invoice_list_order"),
            models.Index(fields=["issued_at"], name="invoice_by_issued_at"),
        ]

    def __str__(self):
        return self.number or f"Draft {self.house.house_id} {self.period.month}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self._refuse_changing_an_issued_invoice(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and Invoice.objects.filter(pk=self.pk).issued().exists():
            raise IssuedDocumentError(f"Invoice {self.number} is issued and can never be deleted; cancel it instead.")
        return super().delete(*args, **kwargs)

    def _refuse_changing_an_issued_invoice(self, update_fields) -> None:
        stored = Invoice.objects.filter(pk=self.pk).values().first()
        if stored is None or stored["status"] not in self.ISSUED_STATUSES:
            return
        names = update_fields or [field.attname for field in self._meta.concrete_fields]
        changed = [
            name
            for name in names
            if name not in INVOICE_FIELDS_MUTABLE_AFTER_ISSUE
            and self._meta.get_field(name).attname in stored
            and stored[self._meta.get_field(name).attname] != getattr(self, self._meta.get_field(name).attname)
        ]
        if changed:
            raise IssuedDocumentError(
                f"Invoice {stored['number']} is issued; its {', '.join(sorted(changed))} never change. "
                "Cancel it to correct it."
            )

    @property
    def is_issued(self) -> bool:
        return self.status in self.ISSUED_STATUSES


class InvoiceLineQuerySet(models.QuerySet):
    def _refuse_issued(self, verb: str):
        blocked = self.filter(invoice__status__in=Invoice.ISSUED_STATUSES).select_related("invoice").first()
        if blocked is not None:
            raise IssuedDocumentError(f"Cannot {verb} the lines of issued invoice {blocked.invoice.number}.")

    def update(self, **kwargs):
        self._refuse_issued("change")
        return super().update(**kwargs)

    def delete(self):
        self._refuse_issued("delete")
        return super().delete()


class InvoiceLine(models.Model):
    """The part of an invoice priced with one tariff version.

    A period priced with one tariff has one line; a tariff change inside the period splits the
    invoice into one line per tariff, each with the prices it was priced with.
    """

    invoice = models.ForeignKey(Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines")
    tariff = models.ForeignKey(Tariff, verbose_name=_("tariff"), on_delete=models.PROTECT, related_name="+")
    segment_start = models.DateTimeField(_("segment start"))
    segment_end = models.DateTimeField(_("segment end"))
    energy_exported_kwh = models.DecimalField(_("energy exported kwh"), **ENERGY_FIELD)
    energy_imported_kwh = models.DecimalField(_("energy imported kwh"), **ENERGY_FIELD)
    p_pv_ct_per_kwh = models.DecimalField(_("p_pv (ct/kWh)"), max_digits=10, decimal_places=4)
    p_con_ct_per_kwh = models.DecimalField(_("p_con (ct/kWh)"), max_digits=10, decimal_places=4)
    export_revenue_ct = models.DecimalField(_("export revenue ct"), **AMOUNT_FIELD)
    import_cost_ct = models.DecimalField(_("import cost ct"), **AMOUNT_FIELD)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "segment_start"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "segment_start"], name="one_line_per_invoice_segment"),
        ]

    def __str__(self):
        return gettext("%(invoice)s from %(start)s") % {
            "invoice": self.invoice,
            "start": f"{self.segment_start:%Y-%m-%d %H:%M}",
        }

    def save(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id).issued().exists():
            raise IssuedDocumentError(f"Cannot change the lines of issued invoice {self.invoice.number}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id).issued().exists():
            raise IssuedDocumentError(f"Cannot delete the lines of issued invoice {self.invoice.number}.")
        return super().delete(*args, **kwargs)


class InvoiceNumberCounter(models.Model):
    """The last number given in one series (e.g. INV) of one community and year.

    Locked with SELECT ... FOR UPDATE by the issuing transaction, so concurrent issuers queue up
    and a rolled-back issue gives its numbers back.
    """

    community = models.ForeignKey(Community, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    series = models.CharField(_("series"), max_length=12)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("invoice number counter")
        verbose_name_plural = _("invoice number counters")
        constraints = [
            models.UniqueConstraint(fields=["community", "series", "year"], name="one_counter_per_series_and_year"),
        ]

    def __str__(self):
        return f"{self.community} {self.series}-{self.year}: {self.last_number}"
