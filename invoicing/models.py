from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
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

    class Mode(models.TextChoices):
        FIXED = "fixed", "Fixed: p_pv and p_con in every interval"
        BREAK_EVEN = "break_even", "Break-even: house prices set per interval so the community breaks even"

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="tariffs")
    valid_from = models.DateTimeField(help_text="In force from this instant until the next tariff's start.")
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
        return f"{self.community} tariff from {self.valid_from:%Y-%m-%d %H:%M} UTC"

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


class IssuedDocumentError(ValidationError):
    """An issued invoice or cancellation document was about to be changed or deleted."""


class PdfState(models.TextChoices):
    NONE = "", "No PDF (draft)"
    PENDING = "pending", "Waiting to be rendered"
    RENDERED = "rendered", "Rendered"
    FAILED = "failed", "Rendering failed"


class StoredPdf(models.Model):
    """The PDF of an issued document: rendered after the issuing transaction commits, stored once.

    The file lives under MEDIA_ROOT (``default_storage``); its SHA-256 is kept beside it so a
    download can prove it returns exactly the bytes that were rendered.
    """

    pdf_state = models.CharField("PDF", max_length=10, choices=PdfState.choices, default=PdfState.NONE, blank=True)
    pdf_file = models.FileField(max_length=255, blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    pdf_rendered_at = models.DateTimeField(null=True, blank=True, editable=False)
    pdf_error = models.TextField(blank=True, editable=False, help_text="Why the last render failed.")

    PDF_FIELDS = ("pdf_state", "pdf_file", "pdf_sha256", "pdf_rendered_at", "pdf_error")

    class Meta:
        abstract = True


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
                    f"Invoice {blocked.invoice_id} is issued; its {', '.join(sorted(frozen))} never change. "
                    "Cancel it to correct it."
                )
        return super().update(**kwargs)

    def delete(self):
        blocked = self.issued().first()
        if blocked is not None:
            raise IssuedDocumentError(
                f"Invoice {blocked.invoice_id} is issued and can never be deleted; cancel it instead."
            )
        return super().delete()


class Invoice(StoredPdf):
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
    invoice_id = models.CharField(  # noqa: DJ001 - NULL until issued: unique ignores NULLs, '' would collide
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

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self._refuse_changing_an_issued_invoice(kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and Invoice.objects.filter(pk=self.pk).issued().exists():
            raise IssuedDocumentError(
                f"Invoice {self.invoice_id} is issued and can never be deleted; cancel it instead."
            )
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
                f"Invoice {stored['invoice_id']} is issued; its {', '.join(sorted(changed))} never change. "
                "Cancel it to correct it."
            )

    @property
    def is_issued(self) -> bool:
        return self.status in self.ISSUED_STATUSES


class InvoiceLineQuerySet(models.QuerySet):
    def _refuse_issued(self, verb: str):
        blocked = self.filter(invoice__status__in=Invoice.ISSUED_STATUSES).select_related("invoice").first()
        if blocked is not None:
            raise IssuedDocumentError(f"Cannot {verb} the lines of issued invoice {blocked.invoice.invoice_id}.")

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

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        ordering = ["invoice", "segment_start"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "segment_start"], name="one_line_per_invoice_segment"),
        ]

    def __str__(self):
        return f"{self.invoice} from {self.segment_start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id).issued().exists():
            raise IssuedDocumentError(f"Cannot change the lines of issued invoice {self.invoice.invoice_id}.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if Invoice.objects.filter(pk=self.invoice_id).issued().exists():
            raise IssuedDocumentError(f"Cannot delete the lines of issued invoice {self.invoice.invoice_id}.")
        return super().delete(*args, **kwargs)


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


class CancellationNoteQuerySet(models.QuerySet):
    def update(self, **kwargs):
        frozen = set(kwargs) - set(StoredPdf.PDF_FIELDS)
        if frozen:
            raise IssuedDocumentError(f"Cancellation documents never change ({', '.join(sorted(frozen))}).")
        return super().update(**kwargs)

    def delete(self):
        raise IssuedDocumentError("Cancellation documents are never deleted.")


class CancellationNote(StoredPdf):
    """The document that cancels an issued invoice: its own number (CN-YYYY-NNN), the reason, and
    the original's amounts reversed. The original row and its PDF stay as they were; the house's
    corrected invoice for the same period is ``corrected_by``.
    """

    SERIES = "CN"

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="cancellation_notes")
    cancelled_invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="cancellation_note")
    corrected_by = models.OneToOneField(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="corrects_via"
    )
    number = models.CharField(max_length=40)
    reason = models.TextField()
    net_amount_ct = models.DecimalField(help_text="The original's net amount, reversed.", **AMOUNT_FIELD)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = CancellationNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="cancellation_number_unique_per_community"),
            models.CheckConstraint(condition=~Q(reason=""), name="cancellation_has_a_reason"),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not (update_fields and set(update_fields) <= set(self.PDF_FIELDS)):
            raise IssuedDocumentError(f"Cancellation document {self.number} never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError(f"Cancellation document {self.number} is never deleted.")


class StatementDocument(StoredPdf):
    """The community statement of a closed period, frozen when the close finished.

    ``content_json`` is the statement exactly as ``statements.statement_to_json`` wrote it then;
    the PDF is rendered from it, not from the live data.
    """

    period = models.OneToOneField(SettlementPeriod, on_delete=models.PROTECT, related_name="statement_document")
    content_json = models.TextField(editable=False)
    frozen_at = models.DateTimeField()

    class Meta:
        ordering = ["-frozen_at"]

    def __str__(self):
        return f"Statement {self.period}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and not (update_fields and set(update_fields) <= set(self.PDF_FIELDS)):
            raise IssuedDocumentError(f"The statement of {self.period} is frozen and never changes.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise IssuedDocumentError(f"The statement of {self.period} is never deleted.")


class LifecycleEvent(models.Model):
    """One thing that happened to a period or an invoice: a status transition or a note.

    Written by ``invoicing.lifecycle`` for every transition (the audit trail the admin shows on
    the period and invoice pages) and for notable non-transitions (a failed PDF, a refused
    scheduled close). ``actor_name`` keeps who did it even when the user is deleted later, and
    names the machine actors ("schedule", "close task").
    """

    class Kind(models.TextChoices):
        TRANSITION = "transition", "Transition"
        NOTE = "note", "Note"

    period = models.ForeignKey(SettlementPeriod, on_delete=models.PROTECT, related_name="events")
    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TRANSITION)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    what = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField("who", max_length=150)
    at = models.DateTimeField("when", db_index=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["invoice", "at"], name="event_invoice_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.what}"
