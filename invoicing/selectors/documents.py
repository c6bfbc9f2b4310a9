"""What an issued invoice or cancellation note prints, read from the database in a few queries."""

import datetime as dt
from zoneinfo import ZoneInfo

from core.energy import wh_to_kwh

from .. import documents
from ..models import CancellationNote, Invoice
from .daily_prices import break_even_day_prices
from .readings import daily_energy_wh
from .tariffs import tariff_in_effect


def _local_day(instant: dt.datetime, zone) -> dt.date:
    return instant.astimezone(zone).date()


def _last_local_day(exclusive_end: dt.datetime, zone) -> dt.date:
    return (exclusive_end.astimezone(zone) - dt.timedelta(microseconds=1)).date()


def invoice_documents(*, invoices=(), notes=()) -> list:
    """``documents.InvoiceDocument`` for issued invoices and cancellation notes, in the order given.

    Three queries for any number of documents: the invoices with their community, house, period
    and lines; the cancelled originals; the daily energies of all their houses. Break-even
    months add their interval prices and the houses' day prices, a few queries per period.
    """
    invoice_pks = [getattr(invoice, "pk", invoice) for invoice in invoices]
    note_pks = [getattr(note, "pk", note) for note in notes]
    loaded_notes = {
        note.pk: note
        for note in CancellationNote.objects.filter(pk__in=note_pks).select_related("cancelled_invoice", "corrected_by")
    }
    wanted = set(invoice_pks) | {note.cancelled_invoice_id for note in loaded_notes.values()}
    loaded = {
        invoice.pk: invoice
        for invoice in Invoice.objects.filter(pk__in=wanted)
        .select_related("community", "house", "period")
        .prefetch_related("lines__tariff")
    }
    daily = _daily_energy_of(loaded.values())
    daily.update(_day_prices_of(loaded.values()))
    return [_document(loaded[pk], None, daily) for pk in invoice_pks if pk in loaded] + [
        _document(loaded[loaded_notes[pk].cancelled_invoice_id], loaded_notes[pk], daily)
        for pk in note_pks
        if pk in loaded_notes
    ]


def _daily_energy_of(invoices) -> dict[tuple, list]:
    """``{(period_start, house_pk): [(day, exported_wh, imported_wh), ...]}``, one query per period range."""
    by_range: dict[tuple, set[int]] = {}
    for invoice in invoices:
        by_range.setdefault((invoice.period_start, invoice.period_end, invoice.community.time_zone), set()).add(
            invoice.house_id
        )
    daily: dict[tuple, list] = {}
    for (start, end, zone_name), house_ids in by_range.items():
        for house_id, days in daily_energy_wh(
            house_ids=house_ids, start=start, end=end, zone=ZoneInfo(zone_name)
        ).items():
            daily[(start, house_id)] = days
    return daily


def _is_break_even(invoice: Invoice) -> bool:
    return any(line.tariff.is_break_even for line in _billed_lines(invoice))


def _day_prices_of(invoices) -> dict[tuple, list]:
    """``{("prices", invoice_pk): [DayPrices, ...]}`` for the break-even invoices, per period."""
    by_period: dict[int, list[Invoice]] = {}
    for invoice in invoices:
        if _is_break_even(invoice):
            by_period.setdefault(invoice.period_id, []).append(invoice)
    prices: dict[tuple, list] = {}
    for period_invoices in by_period.values():
        by_house = break_even_day_prices(
            period=period_invoices[0].period, house_ids={invoice.house_id for invoice in period_invoices}
        )
        for invoice in period_invoices:
            first_day = _local_day(invoice.period_start, invoice.community.zone)
            last_day = _last_local_day(invoice.period_end, invoice.community.zone)
            prices[("prices", invoice.pk)] = [
                day for day in by_house.get(invoice.house_id, []) if first_day <= day.day <= last_day
            ]
    return prices


def _billed_lines(invoice: Invoice) -> list:
    """The invoice's tariff segments that meet its billed days (``period_start``/``period_end``,
    the house's membership within the month); a segment before a house joined holds nothing."""
    return [
        line
        for line in invoice.lines.all()
        if line.segment_start < invoice.period_end and line.segment_end > invoice.period_start
    ]


def _document(invoice: Invoice, note: CancellationNote | None, daily: dict) -> documents.InvoiceDocument:
    """The document of ``invoice``, or of ``note`` cancelling it (every amount negated)."""
    community, zone = invoice.community, invoice.community.zone
    sign = -1 if note is not None else 1
    lines = _billed_lines(invoice)
    tariff = lines[0].tariff if lines else tariff_in_effect(community=community, at=invoice.period_start)
    return documents.InvoiceDocument(
        **_issue_details(invoice, note),
        kind="cancellation" if note is not None else "invoice",
        number=note.number if note is not None else invoice.number,
        issue_date=_local_day(note.issued_at if note is not None else invoice.issued_at, zone),
        month=invoice.period.month,
        period_first_day=_local_day(invoice.period_start, zone),
        period_last_day=_last_local_day(invoice.period_end, zone),
        letterhead=documents.Letterhead(
            legal_name=community.legal_name,
            address=community.address,
            contact_email=community.contact_email,
            contact_phone=community.contact_phone,
            tax_id=community.tax_id,
            legal_note=community.legal_note,
            iban=community.iban,
            bic=community.bic,
            bank_name=community.bank_name,
        ),
        recipient=documents.Party(name=invoice.recipient_name, address=invoice.recipient_address),
        house_id=invoice.house_key,
        house_name=invoice.house_name,
        lines=_document_lines(invoice, lines, sign),
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
        break_even=any(line.tariff.is_break_even for line in lines),
        daily_prices=[
            documents.DailyPrice(
                day=day.day, p_pv_ct_per_kwh=day.p_pv_ct_per_kwh, p_con_ct_per_kwh=day.p_con_ct_per_kwh
            )
            for day in daily.get(("prices", invoice.pk), [])
        ],
    )


def _document_lines(invoice: Invoice, lines: list, sign: int) -> list:
    """The billed tariff segments as printed, clipped to the member's own days; amounts times ``sign``."""
    zone = invoice.community.zone
    return [
        documents.DocumentLine(
            segment_start=_local_day(max(line.segment_start, invoice.period_start), zone),
            segment_end=_last_local_day(min(line.segment_end, invoice.period_end), zone),
            exported_kwh=sign * line.energy_exported_kwh,
            p_pv_ct_per_kwh=line.p_pv_ct_per_kwh,
            export_revenue_ct=sign * line.export_revenue_ct,
            imported_kwh=sign * line.energy_imported_kwh,
            p_con_ct_per_kwh=line.p_con_ct_per_kwh,
            import_cost_ct=sign * line.import_cost_ct,
        )
        for line in lines
    ]


def _issue_details(invoice: Invoice, note: CancellationNote | None) -> dict:
    """Language, due date and terms of an invoice; what a cancellation note cancels and what follows."""
    community = invoice.community
    if note is None:
        return {
            "language": community.language,
            "due_date": invoice.due_date,
            "payment_terms_days": (invoice.due_date - _local_day(invoice.issued_at, community.zone)).days
            if invoice.due_date
            else None,
        }
    return {
        "language": community.language,
        "refers_to": invoice.number,
        "refers_to_date": _local_day(invoice.issued_at, community.zone),
        "corrected_by": note.corrected_by.number if note.corrected_by_id else None,
        "reason": note.reason,
    }
