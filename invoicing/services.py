"""Writes for invoicing. Keyword-only, atomic; the admin, commands and tasks only call these."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from communities.energy import wh_to_kwh
from communities.local_time import month_bounds, parse_period_id
from communities.models import Community, House

from . import lifecycle, pricing, queue, selectors
from .models import Invoice, InvoiceLine, InvoiceNumberCounter, LifecycleEvent, PdfState, SettlementPeriod

HEADER_FIELDS = (
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
    "recipient_name",
    "recipient_address",
    "house_name",
)
LINE_FIELDS = (
    "tariff_id",
    "segment_start",
    "segment_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "p_pv_ct_per_kwh",
    "p_con_ct_per_kwh",
    "export_revenue_ct",
    "import_cost_ct",
)


@dataclass(frozen=True)
class GenerationReport:
    created: int
    updated: int
    unchanged: int
    deleted: int
    already_issued: int

    def __str__(self):
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deleted} removed (house no longer active), {self.already_issued} already issued"
        )


@dataclass(frozen=True)
class IssueReport:
    generation: GenerationReport
    issued_numbers: list[str]

    def __str__(self):
        if not self.issued_numbers:
            return "No drafts to issue."
        return f"Issued {len(self.issued_numbers)} invoices: {self.issued_numbers[0]} to {self.issued_numbers[-1]}."


def period_get_or_create(*, community: Community, period_id: str) -> SettlementPeriod:
    """The community's period for the month ``period_id`` (YYYY-MM), created open if new."""
    try:
        parse_period_id(period_id)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    start, end = month_bounds(period_id, community.zone)
    period, _ = SettlementPeriod.objects.get_or_create(
        community=community, period_id=period_id, defaults={"start": start, "end": end}
    )
    return period


PERIOD_REFUSALS = {
    SettlementPeriod.Status.OPEN: "Period {period} is open; it has not been closed yet.",
    SettlementPeriod.Status.CLOSING: (
        "Period {period} is closing; its invoices are being issued. Wait for the close to finish "
        "(progress on the period's page)."
    ),
    SettlementPeriod.Status.CLOSED: "Period {period} of {community} is closed; its invoices are final.",
}


def _lock_period(period: SettlementPeriod, *, allowed=(SettlementPeriod.Status.OPEN,)) -> SettlementPeriod:
    """The period re-read under a row lock, refused unless its status is one of ``allowed``.

    Every write that depends on a period's status takes this lock first, so a close and a
    preview (or two closes) of one period queue up instead of interleaving.
    """
    locked = SettlementPeriod.objects.select_for_update().select_related("community").get(pk=period.pk)
    if locked.status not in allowed:
        raise ValidationError(PERIOD_REFUSALS[locked.status].format(period=locked.period_id, community=locked.community))
    return locked


def _segments(period: SettlementPeriod) -> list:
    tariffs = selectors.tariffs_for_range(community=period.community, start=period.start, end=period.end)
    try:
        return pricing.tariff_segments(tariffs, period.start, period.end)
    except pricing.NoTariffError as error:
        raise ValidationError(f"{period.community}: {error}") from error


def _draft_for(house: House, period: SettlementPeriod, priced: list) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved draft invoice and its lines from ``[(segment, amounts), ...]``."""
    amounts = pricing.total(line_amounts for _, line_amounts in priced)
    invoice = Invoice(
        community_id=period.community_id,
        house=house,
        period=period,
        status=Invoice.Status.DRAFT,
        period_start=period.start,
        period_end=period.end,
        energy_exported_kwh=amounts.exported_kwh,
        energy_imported_kwh=amounts.imported_kwh,
        export_revenue_ct=amounts.export_revenue_ct,
        import_cost_ct=amounts.import_cost_ct,
        net_amount_ct=amounts.net_amount_ct,
        recipient_name=house.owner_name,
        recipient_address=house.address,
        house_name=house.name,
    )
    lines = [
        InvoiceLine(
            tariff=segment.tariff,
            segment_start=segment.start,
            segment_end=segment.end,
            energy_exported_kwh=line_amounts.exported_kwh,
            energy_imported_kwh=line_amounts.imported_kwh,
            p_pv_ct_per_kwh=segment.tariff.p_pv_ct_per_kwh,
            p_con_ct_per_kwh=segment.tariff.p_con_ct_per_kwh,
            export_revenue_ct=line_amounts.export_revenue_ct,
            import_cost_ct=line_amounts.import_cost_ct,
        )
        for segment, line_amounts in priced
    ]
    return invoice, lines


def _same_content(stored: Invoice, stored_lines: list[InvoiceLine], fresh: Invoice, fresh_lines: list[InvoiceLine]):
    def line_values(lines):
        return [tuple(getattr(line, field) for field in LINE_FIELDS) for line in lines]

    return all(getattr(stored, field) == getattr(fresh, field) for field in HEADER_FIELDS) and line_values(
        stored_lines
    ) == line_values(fresh_lines)


@transaction.atomic
def invoices_generate(*, period: SettlementPeriod) -> GenerationReport:
    """Create or refresh one draft invoice per house active in the period (the preview).

    Every active house gets an invoice, a zero one if it has no readings: members expect a
    statement every month, and a missing invoice would hide a missing meter. Issued invoices
    are never touched; drafts of houses no longer active are removed. Running it again with the
    same data changes nothing. Only open periods: a closing or closed period's invoices belong
    to its close.
    """
    period = _lock_period(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    return _generate(period, houses, all_houses=True)


def _generate(period: SettlementPeriod, houses: list[House], *, all_houses: bool) -> GenerationReport:
    """Drafts for ``houses`` from the current readings; with ``all_houses``, also drop stale drafts.

    The caller holds the transaction and decides whether the period's status allows it.
    """
    segments = _segments(period)
    energy = selectors.energy_wh_by_house_and_segment(houses=houses, segments=segments) if houses else {}

    live_invoices = period.invoices.live().prefetch_related("lines")
    if not all_houses:
        live_invoices = live_invoices.filter(house__in=houses)
    live = {invoice.house_id: invoice for invoice in live_invoices}
    to_create, to_update = [], []
    unchanged = already_issued = 0
    for house in houses:
        priced = [
            (
                segment,
                pricing.price_energy(
                    exported_kwh=wh_to_kwh(exported_wh), imported_kwh=wh_to_kwh(imported_wh), prices=segment.tariff.prices
                ),
            )
            for segment, (exported_wh, imported_wh) in zip(segments, energy[house.pk], strict=True)
        ]
        fresh, fresh_lines = _draft_for(house, period, priced)
        stored = live.pop(house.pk, None)
        if stored is None:
            to_create.append((fresh, fresh_lines))
        elif stored.is_issued:
            already_issued += 1
        elif _same_content(stored, list(stored.lines.all()), fresh, fresh_lines):
            unchanged += 1
        else:
            for field in HEADER_FIELDS:
                setattr(stored, field, getattr(fresh, field))
            stored.updated_at = timezone.now()
            to_update.append((stored, fresh_lines))
    stale_drafts = [invoice.pk for invoice in live.values() if invoice.status == Invoice.Status.DRAFT] if all_houses else []

    Invoice.objects.bulk_create([invoice for invoice, _ in to_create])
    if to_update:
        Invoice.objects.bulk_update([invoice for invoice, _ in to_update], [*HEADER_FIELDS, "updated_at"])
        InvoiceLine.objects.filter(invoice__in=[invoice.pk for invoice, _ in to_update]).delete()
    if stale_drafts:
        Invoice.objects.filter(pk__in=stale_drafts).delete()
    new_lines = []
    for invoice, lines in to_create + to_update:
        for line in lines:
            line.invoice = invoice
            new_lines.append(line)
    InvoiceLine.objects.bulk_create(new_lines)
    return GenerationReport(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        deleted=len(stale_drafts),
        already_issued=already_issued,
    )


def format_invoice_number(series: str, year: int, sequence: int) -> str:
    """``INV-2026-001``: series, year, sequence zero-padded to at least three digits."""
    return f"{series}-{year}-{sequence:03d}"


def invoice_numbers_allocate(*, community: Community, series: str, year: int, count: int) -> list[str]:
    """Take the next ``count`` numbers of a series, gap-free, inside the caller's transaction.

    The counter row stays locked until the caller commits, so concurrent issuers queue up; if
    the caller rolls back, the numbers were never taken.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Invoice numbers can only be allocated inside the issuing transaction.")
    if count <= 0:
        return []
    # get_or_create first: SELECT ... FOR UPDATE locks nothing when the row does not exist yet.
    InvoiceNumberCounter.objects.get_or_create(community=community, series=series, year=year)
    counter = InvoiceNumberCounter.objects.select_for_update().get(community=community, series=series, year=year)
    first = counter.last_number + 1
    counter.last_number += count
    counter.save(update_fields=["last_number"])
    return [format_invoice_number(series, year, sequence) for sequence in range(first, first + count)]


@transaction.atomic
def invoices_issue(*, period: SettlementPeriod, acting_user=None) -> IssueReport:
    """Refresh an open period's drafts from the current readings, then number and freeze them all.

    Numbers follow the houses' ``house_id`` order, so a period's invoices read in the same order
    as its houses. The close (``period_close_start``) does the same in batches and also freezes
    the meter data; this is the one-shot version for small periods and scripts.
    """
    period = _lock_period(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    generation = _generate(period, houses, all_houses=True)
    numbers = _issue_drafts(period, houses=None, acting_user=acting_user)
    return IssueReport(generation=generation, issued_numbers=numbers)


def _issue_drafts(period: SettlementPeriod, *, houses, acting_user=None, actor_name: str = "", details=None) -> list[str]:
    """Number and freeze the period's drafts (of ``houses``, or all), in house order; PDFs after commit.

    One event per invoice (draft -> pending). The caller holds the transaction; the numbers come
    from the locked counter inside it, so a rollback gives them back.
    """
    drafts = period.invoices.filter(status=Invoice.Status.DRAFT).select_related("house")
    if houses is not None:
        drafts = drafts.filter(house__in=houses)
    drafts = list(drafts.order_by("house__house_id"))
    numbers = invoice_numbers_allocate(
        community=period.community, series=period.community.invoice_prefix, year=period.year, count=len(drafts)
    )
    for invoice, number in zip(drafts, numbers, strict=True):
        invoice.invoice_id = number
    events = lifecycle.transition_many(
        objs=drafts,
        to_status=Invoice.Status.PENDING,
        actor=acting_user,
        actor_name=actor_name,
        details=lambda invoice: {"number": invoice.invoice_id, **(details or {})},
    )
    issued_at = timezone.now()
    for invoice in drafts:
        invoice.status = Invoice.Status.PENDING
        invoice.issued_at = issued_at
        invoice.issued_by = acting_user if acting_user is not None and acting_user.pk else None
        invoice.updated_at = issued_at
        invoice.pdf_state = PdfState.PENDING
    Invoice.objects.bulk_update(drafts, ["invoice_id", "status", "issued_at", "issued_by", "updated_at", "pdf_state"])
    LifecycleEvent.objects.bulk_create(events)
    queue.pdfs_enqueue(invoice_pks=[invoice.pk for invoice in drafts])
    return numbers
