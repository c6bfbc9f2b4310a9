"""The printed page of an invoice or cancellation note: words in the document's language, amounts
that add up. Pure rendering: a frozen ``InvoiceDocument`` in, HTML or PDF bytes out, no ORM.

Every printed line amount is rounded to whole cents; the total is the exact net rounded once
(``core.money.round_ct``). Where the two differ, a rounding line says by how much, so the
printed column adds up to the printed total. The layout avoids flexbox (render time).
"""

from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core import local_format
from core.banking import grouped_iban
from core.money import round_ct

from . import charts, price_chart
from .engine import FONT_FAMILY, renderer
from .invoice import InvoiceDocument

PRICE_PLACES = Decimal("0.0001")  # a tariff's four places

TEMPLATE_NAME = "invoicing/pdf/invoice.html"


def printed_amounts(exact_ct: Iterable[Decimal], total_ct: Decimal) -> tuple[list[Decimal], Decimal, Decimal]:
    """``(line_cents, rounding_cents, total_cents)``: each line and the total rounded to whole cents,
    and the rounding line that makes the printed lines add up to the printed total."""
    lines = [round_ct(amount) for amount in exact_ct]
    total = round_ct(total_ct)
    return lines, total - sum(lines, Decimal(0)), total


def average_price(amount_ct: Decimal, energy_kwh: Decimal) -> Decimal | None:
    """What the energy cost on average (ct/kWh, four places), None for no energy."""
    if not energy_kwh:
        return None
    return (amount_ct / energy_kwh).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)


def _line_rows(document: InvoiceDocument) -> tuple[list[dict], Decimal, Decimal]:
    fmt = document.language
    rows = []
    for line in document.lines:
        dates = (
            f"{local_format.short_day(line.segment_start, fmt)}\u2013{local_format.short_day(line.segment_end, fmt)}"
        )
        rows.append(
            {
                "label": _("Electricity you delivered to the community"),
                "dates": dates,
                "energy": local_format.energy(line.exported_kwh, fmt),
                "price": local_format.price(line.p_pv_ct_per_kwh, fmt),
                "exact_ct": line.export_revenue_ct,
            }
        )
        rows.append(
            {
                "label": _("Electricity you used from the community"),
                "dates": dates,
                "energy": local_format.energy(line.imported_kwh, fmt),
                "price": local_format.price(line.p_con_ct_per_kwh, fmt),
                # The amount column adds up to the net: what the member uses counts against them.
                "exact_ct": -line.import_cost_ct,
            }
        )
    cents, rounding, total = printed_amounts([row["exact_ct"] for row in rows], document.net_amount_ct)
    for row, line_cents in zip(rows, cents, strict=True):
        row["amount"] = local_format.euros_of_cents(line_cents, fmt)
    return rows, rounding, total


def _settlement(document: InvoiceDocument, total_ct: Decimal) -> str:
    """What the member does next, in one sentence."""
    values = {
        "amount": local_format.euros_of_cents(abs(total_ct), document.language),
        "number": document.number,
        "due": local_format.long_day(document.due_date, document.language) if document.due_date else "",
    }
    if total_ct == 0:
        return _("Nothing to pay.")
    if total_ct > 0:
        if values["due"]:
            return _("We pay you %(amount)s by %(due)s.") % values
        return _("We pay you %(amount)s.") % values
    if values["due"]:
        return _("Please transfer %(amount)s by %(due)s, quoting %(number)s.") % values
    return _("Please transfer %(amount)s, quoting %(number)s.") % values


def _cancellation(document: InvoiceDocument) -> dict:
    """Which invoice the note cancels, why, and what happens next."""
    values = {
        "original": document.refers_to,
        "date": local_format.long_day(document.refers_to_date, document.language) if document.refers_to_date else "",
        "corrected": document.corrected_by or "",
    }
    if values["date"]:
        what = _("This note cancels invoice %(original)s of %(date)s in full.") % values
    else:
        what = _("This note cancels invoice %(original)s in full.") % values
    if document.corrected_by:
        next_step = _(
            "Invoice %(original)s is no longer payable. It is replaced by the corrected invoice %(corrected)s, "
            "which follows with this note; only that invoice counts. If you have already paid invoice "
            "%(original)s, the payment is set against the corrected invoice and any difference is refunded."
        )
    else:
        next_step = _(
            "Invoice %(original)s is no longer payable and no new invoice follows for this period. "
            "If you have already paid invoice %(original)s, we refund the amount."
        )
    return {"what": what, "reason": document.reason, "next": next_step % values}


def _prices(document: InvoiceDocument) -> dict:
    fmt = document.language
    tariff = document.tariff
    if not document.break_even:
        return {
            "p_pv": local_format.price(tariff.p_pv, fmt),
            "p_con": local_format.price(tariff.p_con, fmt),
            "p_grid_del": local_format.price(tariff.p_grid_del, fmt),
            "p_grid_con": local_format.price(tariff.p_grid_con, fmt),
        }
    p_pv = average_price(document.export_revenue_ct, document.energy_exported_kwh)
    p_con = average_price(document.import_cost_ct, document.energy_imported_kwh)
    chart = price_chart.daily_prices_svg(
        document.daily_prices, title=_("Prices charged per day (ct/kWh)"), font_family=FONT_FAMILY
    )
    return {
        "average_p_pv": "\u2013" if p_pv is None else local_format.price(p_pv, fmt),
        "average_p_con": "\u2013" if p_con is None else local_format.price(p_con, fmt),
        # price_chart escapes everything it writes; autoescaping it again would print markup.
        "chart": mark_safe(chart) if document.daily_prices else "",
    }


def _issuer(document: InvoiceDocument) -> dict:
    letterhead = document.letterhead
    return {"iban": grouped_iban(letterhead.iban) if letterhead.iban else ""}


def _context(document: InvoiceDocument) -> dict:
    fmt = document.language
    rows, rounding, total = _line_rows(document)
    is_cancellation = document.kind == "cancellation"
    return {
        "doc": document,
        "is_cancellation": is_cancellation,
        "title": _("Cancellation note") if is_cancellation else _("Invoice"),
        "issue_date": local_format.long_day(document.issue_date, fmt),
        "due_date": local_format.long_day(document.due_date, fmt) if document.due_date else "",
        "period": f"{local_format.long_day(document.period_first_day, fmt)} \u2013 "
        f"{local_format.long_day(document.period_last_day, fmt)}",
        "lines": rows,
        "exported": local_format.energy(document.energy_exported_kwh, fmt),
        "imported": local_format.energy(document.energy_imported_kwh, fmt),
        "rounding": local_format.euros_of_cents(rounding, fmt) if rounding else "",
        "total": local_format.euros_of_cents(total, fmt),
        "settlement": "" if is_cancellation else _settlement(document, total),
        "cancellation": _cancellation(document) if is_cancellation else None,
        "prices": _prices(document),
        "issuer": _issuer(document),
        # charts.daily_energy_svg escapes everything it writes; autoescaping it again would print markup.
        "chart": mark_safe(
            charts.daily_energy_svg(
                document.daily,
                title=_("Daily energy (kWh)"),
                font_family=FONT_FAMILY,
                height=charts.COMPACT_HEIGHT if document.break_even else charts.HEIGHT,
            )
        ),
    }


def render_html(document: InvoiceDocument) -> str:
    """The HTML WeasyPrint lays out, in the document's language (useful to look at in a browser)."""
    local_format.locale_of(document.language)  # refuses a language documents are not written in
    with translation.override(document.language):
        return get_template(TEMPLATE_NAME).render(_context(document))


def render_pdfs(documents: Iterable[InvoiceDocument]) -> Iterator[bytes]:
    """Render each document to PDF bytes, in order, reusing fonts, CSS and template between them."""
    shared = renderer()
    for document in documents:
        yield _render(shared, document)


def render_pdf(document: InvoiceDocument) -> bytes:
    """Render one document to PDF bytes. Same process-wide reuse as ``render_pdfs``."""
    return _render(renderer(), document)


def _render(shared, document: InvoiceDocument) -> bytes:
    return shared.write_pdf(render_html(document), identifier=f"{document.kind}:{document.number}")
