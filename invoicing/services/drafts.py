"""Draft invoices: one per house active in an open period, refreshed from the current readings."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from communities.models import House
from core.energy import wh_to_kwh
from core.local_time import local_midnight

from .. import pricing, selectors
from ..models import Invoice, InvoiceLine, SettlementPeriod
from .periods import period_lock

HEADER_FIELDS = (
    "period_start",
    "period_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
    "recipient_name",
    "recipient_address",
    "house_name",
    "house_key",
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
        return gettext(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(deleted)d removed (house no longer active), %(issued)d already issued"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
            "issued": self.already_issued,
        }


def period_segments(period: SettlementPeriod) -> list:
    """The period split by tariff version; refused with the community's name when none is in force."""
    try:
        return selectors.period_tariff_segments(period=period)
    except pricing.NoTariffError as error:
        raise ValidationError(f"{period.community}: {error}") from error


def billed_span(house: House, period: SettlementPeriod) -> tuple[dt.datetime, dt.datetime]:
    """The part ``[start, end)`` of the period the house was a member, from local midnight to local
    midnight: a house joining on 17 March is billed, and its invoice reads, 17 to 31 March."""
    zone = period.community.zone
    start = max(period.start, local_midnight(house.active_from, zone))
    if house.active_until is None:
        return start, period.end
    return start, min(period.end, local_midnight(house.active_until + dt.timedelta(days=1), zone))


def _draft_for(house: House, period: SettlementPeriod, priced: list) -> tuple[Invoice, list[InvoiceLine]]:
    """An unsaved draft invoice and its lines from ``[(segment, amounts), ...]``."""
    amounts = pricing.total(line_amounts for _, line_amounts in priced)
    billed_start, billed_end = billed_span(house, period)
    invoice = Invoice(
        community_id=period.community_id,
        house=house,
        period=period,
        status=Invoice.Status.DRAFT,
        period_start=billed_start,
        period_end=billed_end,
        energy_exported_kwh=amounts.exported_kwh,
        energy_imported_kwh=amounts.imported_kwh,
        export_revenue_ct=amounts.export_revenue_ct,
        import_cost_ct=amounts.import_cost_ct,
        net_amount_ct=amounts.net_amount_ct,
        recipient_name=house.owner_name,
        recipient_address=house.address,
        house_name=house.name,
        house_key=house.house_id,
    )
    lines = [
        InvoiceLine(
            tariff=segment.tariff,
            segment_start=segment.start,
            segment_end=segment.end,
            energy_exported_kwh=line_amounts.exported_kwh,
            energy_imported_kwh=line_amounts.imported_kwh,
            p_pv_ct_per_kwh=pricing.average_price(
                amount_ct=line_amounts.export_revenue_ct,
                energy_kwh=line_amounts.exported_kwh,
                otherwise=segment.tariff.p_pv_ct_per_kwh,
            ),
            p_con_ct_per_kwh=pricing.average_price(
                amount_ct=line_amounts.import_cost_ct,
                energy_kwh=line_amounts.imported_kwh,
                otherwise=segment.tariff.p_con_ct_per_kwh,
            ),
            export_revenue_ct=line_amounts.export_revenue_ct,
            import_cost_ct=line_amounts.import_cost_ct,
        )
        for segment, line_amounts in priced
    ]
    return invoice, lines


def _segment_amounts(segment, energy_wh: tuple[int, int] | None, break_even_value) -> pricing.Amounts:
    """A house's amounts in one tariff segment: its energy (``energy_wh``, exported and imported Wh)
    at the tariff's prices, or its readings valued at each interval's break-even prices
    (``break_even_value``, which carries the segment's energy too; None when the house has no
    readings there)."""
    if not segment.tariff.is_break_even:
        exported_kwh, imported_kwh = wh_to_kwh(energy_wh[0]), wh_to_kwh(energy_wh[1])
        return pricing.price_energy(exported_kwh=exported_kwh, imported_kwh=imported_kwh, prices=segment.tariff.prices)
    if break_even_value is None:
        return pricing.NO_AMOUNTS
    return pricing.Amounts(
        exported_kwh=wh_to_kwh(break_even_value.exported_wh),
        imported_kwh=wh_to_kwh(break_even_value.imported_wh),
        export_revenue_ct=break_even_value.export_revenue_ct,
        import_cost_ct=break_even_value.import_cost_ct,
    )


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
    period = period_lock(period)
    houses = list(selectors.houses_billable_in(period=period).order_by("house_id"))
    return drafts_refresh(period, houses, all_houses=True)


def drafts_refresh(period: SettlementPeriod, houses: list[House], *, all_houses: bool) -> GenerationReport:
    """Drafts for ``houses`` from the current readings; with ``all_houses``, also drop stale drafts.

    The caller holds the transaction and decides whether the period's status allows it.
    """
    live_invoices = period.invoices.live().prefetch_related("lines")
    if not all_houses:
        live_invoices = live_invoices.filter(house__in=houses)
    live = {invoice.house_id: invoice for invoice in live_invoices}
    to_create, to_update = [], []
    unchanged = already_issued = 0
    for house, fresh, fresh_lines in _fresh_drafts(period, houses):
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
    stale_drafts = (
        [invoice.pk for invoice in live.values() if invoice.status == Invoice.Status.DRAFT] if all_houses else []
    )
    _write_drafts(to_create, to_update, stale_drafts)
    return GenerationReport(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        deleted=len(stale_drafts),
        already_issued=already_issued,
    )


def _fresh_drafts(period: SettlementPeriod, houses: list[House]):
    """``(house, unsaved draft, its lines)`` for each house, priced segment by segment.

    Only fixed-price segments are summed per house here: the join that values a break-even
    segment's readings sums their energy in the same pass (one pass over the readings, not two).
    """
    segments = period_segments(period)
    fixed = [segment for segment in segments if not segment.tariff.is_break_even]
    energy = selectors.energy_wh_by_house_and_segment(houses=houses, segments=fixed) if houses and fixed else {}
    break_even = selectors.break_even_values_by_segment(period=period, segments=segments, houses=houses)
    for house in houses:
        fixed_energy = iter(energy.get(house.pk, ()))
        priced = [
            (
                segment,
                _segment_amounts(
                    segment,
                    None if segment.tariff.is_break_even else next(fixed_energy),
                    break_even.get(index, {}).get(house.pk),
                ),
            )
            for index, segment in enumerate(segments)
        ]
        yield (house, *_draft_for(house, period, priced))


def _write_drafts(to_create: list, to_update: list, stale_drafts: list[int]) -> None:
    """Bulk writes: new drafts, changed drafts (their lines replaced), stale drafts removed."""
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
