"""Reads for invoicing: each a query the services and the admin share."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, TruncDate

from communities.models import Community, House
from core.energy import wh_to_kwh
from core.local_time import interval_count, local_midnight, month_first_days
from metering.models import MeterReading

from .models import CancellationNote, Invoice, InvoiceLine, PdfState, SettlementPeriod, Tariff
from .pricing import TariffSegment


def tariff_in_effect(*, community: Community, at: dt.datetime) -> Tariff | None:
    """The tariff with the latest ``valid_from`` not after ``at``."""
    return community.tariffs.filter(valid_from__lte=at).order_by("-valid_from").first()


def tariffs_for_range(*, community: Community, start: dt.datetime, end: dt.datetime) -> list[Tariff]:
    """The tariff in force at ``start`` and every version that starts before ``end``."""
    return list(
        community.tariffs.filter(
            Q(valid_from__lt=end)
            & (
                Q(valid_from__gt=start)
                | Q(pk__in=community.tariffs.filter(valid_from__lte=start).order_by("-valid_from")[:1])
            )
        ).order_by("valid_from")
    )


def houses_billable_in(*, period: SettlementPeriod):
    """Houses active on at least one local day of the period."""
    first_day, following_day = month_first_days(period.period_id)
    return House.objects.filter(community_id=period.community_id).active_between(
        first_day, following_day - dt.timedelta(days=1)
    )


def energy_wh_by_house_and_segment(*, houses, segments: list[TariffSegment]) -> dict[int, list[tuple[int, int]]]:
    """Exported and imported Wh of each house in each tariff segment, in one aggregate query.

    Returns ``{house_pk: [(exported_wh, imported_wh) per segment]}`` for every house given;
    houses without readings get zeros. Integer sums, so exact on SQLite and PostgreSQL alike.
    """
    aggregates = {}
    for index, segment in enumerate(segments):
        in_segment = Q(interval_start__gte=segment.start, interval_start__lt=segment.end)
        aggregates[f"exported_{index}"] = Coalesce(Sum("exported_wh", filter=in_segment), 0)
        aggregates[f"imported_{index}"] = Coalesce(Sum("imported_wh", filter=in_segment), 0)
    rows = (
        MeterReading.objects.filter(
            house__in=houses, interval_start__gte=segments[0].start, interval_start__lt=segments[-1].end
        )
        .order_by()
        .values("house_id")
        .annotate(**aggregates)
    )
    zeros = [(0, 0)] * len(segments)
    totals = {house.pk: zeros for house in houses}
    for row in rows:
        totals[row["house_id"]] = [(row[f"exported_{i}"], row[f"imported_{i}"]) for i in range(len(segments))]
    return totals


def invoices_for_export(*, period: SettlementPeriod, drafts: bool = False):
    """The period's issued invoices (or its drafts), in house order."""
    invoices = period.invoices.select_related("house").order_by("house__house_id", "created_at")
    if drafts:
        return invoices.filter(status=Invoice.Status.DRAFT)
    return invoices.issued()


# --- Completeness: are all the readings there before a close? ----------------------------------


@dataclass(frozen=True)
class HouseCompleteness:
    """Expected and present intervals of one house over the local days it was active in a period."""

    house_pk: int
    house_id: str
    house_name: str
    first_day: dt.date
    last_day: dt.date
    expected: int
    present: int

    @property
    def missing(self) -> int:
        return max(self.expected - self.present, 0)

    @property
    def complete(self) -> bool:
        return self.missing == 0


@dataclass(frozen=True)
class Completeness:
    houses: list[HouseCompleteness]

    @property
    def expected(self) -> int:
        return sum(house.expected for house in self.houses)

    @property
    def present(self) -> int:
        return sum(min(house.present, house.expected) for house in self.houses)

    @property
    def missing(self) -> int:
        return sum(house.missing for house in self.houses)

    @property
    def with_gaps(self) -> list[HouseCompleteness]:
        return [house for house in self.houses if not house.complete]

    @property
    def complete(self) -> bool:
        return not self.with_gaps

    def summary(self) -> str:
        if not self.houses:
            return "No house is active in the period."
        if self.complete:
            return f"All {len(self.houses)} houses complete: {self.present:,} of {self.expected:,} intervals."
        return (
            f"{len(self.with_gaps)} of {len(self.houses)} houses have gaps: {self.missing:,} of "
            f"{self.expected:,} intervals missing."
        )


def period_completeness(*, period: SettlementPeriod) -> Completeness:
    """For every house active in the period: intervals expected on its active local days, and present.

    Expected counts follow the community's calendar: a Berlin quarter-hour day has 92, 96 or 100
    intervals, and a house that joins or leaves mid-month is expected only on its days. Present
    counts are one aggregate query per distinct active range (normally one: everybody is active
    the whole month).
    """
    community = period.community
    zone = community.zone
    first_day, following_day = month_first_days(period.period_id)
    last_day = following_day - dt.timedelta(days=1)
    houses = list(houses_billable_in(period=period).order_by("house_id"))
    ranges: dict[tuple[dt.date, dt.date], list[House]] = {}
    for house in houses:
        house_first = max(first_day, house.active_from)
        house_last = min(last_day, house.active_until) if house.active_until else last_day
        ranges.setdefault((house_first, house_last), []).append(house)

    present: dict[int, int] = {}
    for (house_first, house_last), members in ranges.items():
        start = local_midnight(house_first, zone)
        end = local_midnight(house_last + dt.timedelta(days=1), zone)
        counts = (
            MeterReading.objects.filter(house__in=members, interval_start__gte=start, interval_start__lt=end)
            .order_by()
            .values("house_id")
            .annotate(count=Count("pk"))
        )
        present.update({row["house_id"]: row["count"] for row in counts})

    result = []
    for (house_first, house_last), members in ranges.items():
        start = local_midnight(house_first, zone)
        end = local_midnight(house_last + dt.timedelta(days=1), zone)
        expected = interval_count(start, end, community.interval_minutes)
        result.extend(
            HouseCompleteness(
                house_pk=house.pk,
                house_id=house.house_id,
                house_name=house.name,
                first_day=house_first,
                last_day=house_last,
                expected=expected,
                present=present.get(house.pk, 0),
            )
            for house in members
        )
    result.sort(key=lambda house: house.house_id)
    return Completeness(houses=result)


# --- Progress of a close -------------------------------------------------------------------------


@dataclass(frozen=True)
class CloseProgress:
    status: str
    invoices_done: int
    invoices_total: int
    pdfs_done: int
    pdfs_failed: int
    pdfs_total: int

    def __str__(self):
        text = (
            f"{self.status}: invoices {self.invoices_done}/{self.invoices_total}, "
            f"PDFs {self.pdfs_done}/{self.pdfs_total}"
        )
        return text + (f" ({self.pdfs_failed} failed)" if self.pdfs_failed else "")

    @property
    def finished(self) -> bool:
        return self.status == SettlementPeriod.Status.CLOSED and self.pdfs_done + self.pdfs_failed >= self.pdfs_total


def period_close_progress(*, period: SettlementPeriod) -> CloseProgress:
    """Invoices done/total and PDFs done/total of a period, in two aggregate queries.

    The invoice total is the number of houses the close started with (or, before a close, the
    houses active now); PDFs count every issued document of the period, cancellations included.
    """
    period.refresh_from_db(fields=["status", "houses_to_invoice"])
    invoices = period.invoices.aggregate(
        live_issued=Count("pk", filter=Q(status__in=[Invoice.Status.PENDING, Invoice.Status.PAID])),
        issued=Count("pk", filter=Q(status__in=Invoice.ISSUED_STATUSES)),
        rendered=Count("pk", filter=Q(pdf_state=PdfState.RENDERED)),
        failed=Count("pk", filter=Q(pdf_state=PdfState.FAILED)),
    )
    notes = CancellationNote.objects.filter(cancelled_invoice__period=period).aggregate(
        total=Count("pk"),
        rendered=Count("pk", filter=Q(pdf_state=PdfState.RENDERED)),
        failed=Count("pk", filter=Q(pdf_state=PdfState.FAILED)),
    )
    total = period.houses_to_invoice
    if total is None:
        total = houses_billable_in(period=period).count()
    return CloseProgress(
        status=period.status,
        invoices_done=invoices["live_issued"],
        invoices_total=total,
        pdfs_done=invoices["rendered"] + notes["rendered"],
        pdfs_failed=invoices["failed"] + notes["failed"],
        pdfs_total=invoices["issued"] + notes["total"],
    )


# --- What a PDF shows ----------------------------------------------------------------------------


def daily_energy_wh(
    *, house_ids, start: dt.datetime, end: dt.datetime, zone
) -> dict[int, list[tuple[dt.date, int, int]]]:
    """Exported and imported Wh per house and local day in ``[start, end)``, in one aggregate query."""
    rows = (
        MeterReading.objects.filter(house_id__in=list(house_ids), interval_start__gte=start, interval_start__lt=end)
        .annotate(day=TruncDate("interval_start", tzinfo=zone))
        .order_by()
        .values("house_id", "day")
        .annotate(exported=Sum("exported_wh"), imported=Sum("imported_wh"))
        .order_by("house_id", "day")
    )
    result: dict[int, list[tuple[dt.date, int, int]]] = {}
    for row in rows:
        result.setdefault(row["house_id"], []).append((row["day"], row["exported"], row["imported"]))
    return result


def _local_day(instant: dt.datetime, zone) -> dt.date:
    return instant.astimezone(zone).date()


def _last_local_day(exclusive_end: dt.datetime, zone) -> dt.date:
    return (exclusive_end.astimezone(zone) - dt.timedelta(microseconds=1)).date()


def invoice_documents(*, invoices=(), notes=()) -> list:
    """``documents.InvoiceDocument`` for issued invoices and cancellation notes, in the order given.

    Three queries for any number of documents: the invoices with their community, house, period
    and lines; the cancelled originals; the daily energies of all their houses.
    """
    from . import documents

    invoice_pks = [getattr(invoice, "pk", invoice) for invoice in invoices]
    note_pks = [getattr(note, "pk", note) for note in notes]
    loaded_notes = {
        note.pk: note for note in CancellationNote.objects.filter(pk__in=note_pks).select_related("cancelled_invoice")
    }
    wanted = set(invoice_pks) | {note.cancelled_invoice_id for note in loaded_notes.values()}
    loaded = {
        invoice.pk: invoice
        for invoice in Invoice.objects.filter(pk__in=wanted)
        .select_related("community", "house", "period")
        .prefetch_related("lines__tariff")
    }
    by_range: dict[tuple, set[int]] = {}
    for invoice in loaded.values():
        by_range.setdefault((invoice.period_start, invoice.period_end, invoice.community.time_zone), set()).add(
            invoice.house_id
        )
    daily: dict[tuple, list] = {}
    for (start, end, zone_name), house_ids in by_range.items():
        for house_id, days in daily_energy_wh(
            house_ids=house_ids, start=start, end=end, zone=ZoneInfo(zone_name)
        ).items():
            daily[(start, house_id)] = days

    def build(invoice: Invoice, note: CancellationNote | None = None):
        community, zone = invoice.community, invoice.community.zone
        sign = -1 if note is not None else 1
        lines = list(invoice.lines.all())
        tariff = lines[0].tariff if lines else tariff_in_effect(community=community, at=invoice.period_start)
        return documents.InvoiceDocument(
            kind="cancellation" if note is not None else "invoice",
            number=note.number if note is not None else invoice.invoice_id,
            issue_date=_local_day(note.issued_at if note is not None else invoice.issued_at, zone),
            period_id=invoice.period.period_id,
            period_first_day=_local_day(invoice.period_start, zone),
            period_last_day=_last_local_day(invoice.period_end, zone),
            letterhead=documents.Letterhead(
                legal_name=community.legal_name,
                address=community.address,
                contact_email=community.contact_email,
                contact_phone=community.contact_phone,
            ),
            recipient=documents.Party(name=invoice.recipient_name, address=invoice.recipient_address),
            house_id=invoice.house.house_id,
            house_name=invoice.house_name,
            lines=[
                documents.DocumentLine(
                    segment_start=_local_day(line.segment_start, zone),
                    segment_end=_last_local_day(line.segment_end, zone),
                    exported_kwh=sign * line.energy_exported_kwh,
                    p_pv_ct_per_kwh=line.p_pv_ct_per_kwh,
                    export_revenue_ct=sign * line.export_revenue_ct,
                    imported_kwh=sign * line.energy_imported_kwh,
                    p_con_ct_per_kwh=line.p_con_ct_per_kwh,
                    import_cost_ct=sign * line.import_cost_ct,
                )
                for line in lines
            ],
            energy_exported_kwh=sign * invoice.energy_exported_kwh,
            energy_imported_kwh=sign * invoice.energy_imported_kwh,
            export_revenue_ct=sign * invoice.export_revenue_ct,
            import_cost_ct=sign * invoice.import_cost_ct,
            net_amount_ct=sign * invoice.net_amount_ct,
            tariff=documents.TariffTerms(
                p_pv=tariff.p_pv_ct_per_kwh,
                p_con=tariff.p_con_ct_per_kwh,
                p_grid_del=tariff.p_grid_del_ct_per_kwh,
                p_grid_con=tariff.p_grid_con_ct_per_kwh,
            ),
            daily=[
                documents.DailyEnergy(day=day, exported_kwh=wh_to_kwh(exported), imported_kwh=wh_to_kwh(imported))
                for day, exported, imported in daily.get((invoice.period_start, invoice.house_id), [])
            ],
            refers_to=invoice.invoice_id if note is not None else None,
            reason=note.reason if note is not None else "",
        )

    return [build(loaded[pk]) for pk in invoice_pks if pk in loaded] + [
        build(loaded[loaded_notes[pk].cancelled_invoice_id], loaded_notes[pk]) for pk in note_pks if pk in loaded_notes
    ]


def invoice_events(*, invoice: Invoice):
    return invoice.events.select_related("actor").order_by("at", "pk")


def period_events(*, period: SettlementPeriod):
    return period.events.filter(invoice__isnull=True).select_related("actor").order_by("at", "pk")


def document_pdf_bytes(*, document) -> bytes:
    """The stored PDF of an invoice or cancellation note, checked against its SHA-256."""
    from django.core.exceptions import ValidationError
    from django.core.files.storage import default_storage

    if document.pdf_state != PdfState.RENDERED or not document.pdf_file:
        raise ValidationError(f"{document} has no PDF yet ({document.get_pdf_state_display().lower()}).")
    with default_storage.open(document.pdf_file.name, "rb") as stored:
        data = stored.read()
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise ValidationError(f"The stored PDF of {document} does not match the SHA-256 recorded when it was rendered.")
    return data


def tariff_is_quoted(*, tariff: Tariff) -> bool:
    """Whether an issued invoice was priced with this tariff version (which then must not change)."""
    return InvoiceLine.objects.filter(tariff=tariff, invoice__status__in=Invoice.ISSUED_STATUSES).exists()
