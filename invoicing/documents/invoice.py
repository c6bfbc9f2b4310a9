"""PDF invoices and cancellation documents. Pure rendering: a frozen document in, PDF bytes out, no ORM.

The pipeline copies what an issued invoice says into an ``InvoiceDocument`` and calls
``render_pdf`` (one) or ``render_pdfs`` (a batch, the fast path), on the shared ``engine``.
The layout avoids flexbox (render time).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.formatting import ct_per_kwh, eur, kwh

from . import charts
from .engine import FONT_FAMILY, renderer

TEMPLATE_NAME = "invoicing/pdf/invoice.html"
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
HUNDREDTH_CENT = Decimal("0.01")


def _check_types(instance, expected: dict[str, type]) -> None:
    for name, kind in expected.items():
        value = getattr(instance, name)
        if kind is dt.date and isinstance(value, dt.datetime):
            raise TypeError(f"{name} must be a local date, not a datetime.")
        if not isinstance(value, kind):
            hint = "; money and energy never go through float" if kind is Decimal else ""
            raise TypeError(f"{name} must be a {kind.__name__}, not {type(value).__name__}{hint}.")


@dataclass(frozen=True)
class Letterhead:
    """The community as the issuer of the document."""

    legal_name: str
    address: str  # multi-line
    contact_email: str
    contact_phone: str


@dataclass(frozen=True)
class Party:
    """The member the document is addressed to, as frozen on the invoice."""

    name: str
    address: str  # multi-line


@dataclass(frozen=True)
class DocumentLine:
    """One tariff segment of the period: the energy and what it is worth at that segment's prices."""

    segment_start: dt.date
    segment_end: dt.date  # inclusive: the segment's last local day
    exported_kwh: Decimal
    p_pv_ct_per_kwh: Decimal
    export_revenue_ct: Decimal
    imported_kwh: Decimal
    p_con_ct_per_kwh: Decimal
    import_cost_ct: Decimal

    def __post_init__(self):
        _check_types(
            self,
            {"segment_start": dt.date, "segment_end": dt.date}
            | {
                name: Decimal
                for name in (
                    "exported_kwh",
                    "p_pv_ct_per_kwh",
                    "export_revenue_ct",
                    "imported_kwh",
                    "p_con_ct_per_kwh",
                    "import_cost_ct",
                )
            },
        )


@dataclass(frozen=True)
class DailyEnergy:
    """A house's energy on one local day, for the chart."""

    day: dt.date
    exported_kwh: Decimal
    imported_kwh: Decimal

    def __post_init__(self):
        _check_types(self, {"day": dt.date, "exported_kwh": Decimal, "imported_kwh": Decimal})


@dataclass(frozen=True)
class TariffTerms:
    """The tariff the invoice was computed with, in ct/kWh."""

    p_pv: Decimal
    p_con: Decimal
    p_grid_del: Decimal
    p_grid_con: Decimal

    def __post_init__(self):
        _check_types(self, dict.fromkeys(("p_pv", "p_con", "p_grid_del", "p_grid_con"), Decimal))


@dataclass(frozen=True)
class InvoiceDocument:
    """Everything a PDF shows, frozen. Positive ``net_amount_ct``: the community pays the house.

    For a cancellation, the pipeline fills in the original's amounts negated and sets
    ``refers_to`` to the cancelled invoice's number; the renderer shows what it is given.
    ``lines`` and ``daily`` may be given as lists; they are stored as tuples.
    """

    kind: Literal["invoice", "cancellation"]
    number: str
    issue_date: dt.date
    month: str
    period_first_day: dt.date
    period_last_day: dt.date
    letterhead: Letterhead
    recipient: Party
    house_id: str
    house_name: str
    lines: tuple[DocumentLine, ...]
    energy_exported_kwh: Decimal
    energy_imported_kwh: Decimal
    export_revenue_ct: Decimal
    import_cost_ct: Decimal
    net_amount_ct: Decimal
    tariff: TariffTerms
    daily: tuple[DailyEnergy, ...]
    refers_to: str | None = None
    reason: str = ""

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "daily", tuple(self.daily))
        if self.kind not in ("invoice", "cancellation"):
            raise ValueError(f"kind must be 'invoice' or 'cancellation', not {self.kind!r}.")
        if self.kind == "cancellation" and not self.refers_to:
            raise ValueError("A cancellation must name the invoice it cancels (refers_to).")
        _check_types(
            self,
            {
                "number": str,
                "issue_date": dt.date,
                "month": str,
                "period_first_day": dt.date,
                "period_last_day": dt.date,
                "letterhead": Letterhead,
                "recipient": Party,
                "house_id": str,
                "house_name": str,
                "energy_exported_kwh": Decimal,
                "energy_imported_kwh": Decimal,
                "export_revenue_ct": Decimal,
                "import_cost_ct": Decimal,
                "net_amount_ct": Decimal,
                "tariff": TariffTerms,
                "reason": str,
            },
        )
        if not all(isinstance(line, DocumentLine) for line in self.lines):
            raise TypeError("lines must hold DocumentLine objects.")
        if not all(isinstance(day, DailyEnergy) for day in self.daily):
            raise TypeError("daily must hold DailyEnergy objects.")


def long_date(day: dt.date) -> str:
    """``1 October 2026``: English month names regardless of the process locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def exact_ct(amount_ct: Decimal) -> str:
    """A line amount in cents to a hundredth of a cent: ``Decimal("3007.5")`` -> ``"3007.50 ct"``.

    Display only: line amounts stay exact; the one amount that is paid is rounded by
    ``pricing.payable_eur`` (via ``formatting.eur``), so the net is never a sum of rounded lines.
    """
    shown = amount_ct.quantize(HUNDREDTH_CENT, rounding=ROUND_HALF_UP)
    return f"{shown if shown else abs(shown)} ct"  # never "-0.00 ct"


def settlement_sentence(net_amount_ct: Decimal) -> str:
    """``We pay you 60.03 EUR`` / ``You pay us 60.03 EUR`` / ``Nothing to pay: 0.00 EUR``."""
    amount = eur(abs(net_amount_ct))
    if amount == eur(Decimal("0")):
        return f"Nothing to pay: {amount}"
    return f"We pay you {amount}" if net_amount_ct > 0 else f"You pay us {amount}"


def _context(document: InvoiceDocument) -> dict:
    return {
        "doc": document,
        "is_cancellation": document.kind == "cancellation",
        "title": "Cancellation" if document.kind == "cancellation" else "Invoice",
        "issue_date": long_date(document.issue_date),
        "period": f"{long_date(document.period_first_day)} \u2013 {long_date(document.period_last_day)}",
        "lines": [
            {
                "segment_start": long_date(line.segment_start),
                "segment_end": long_date(line.segment_end),
                "exported": kwh(line.exported_kwh),
                "p_pv": ct_per_kwh(line.p_pv_ct_per_kwh),
                "export_revenue": exact_ct(line.export_revenue_ct),
                "imported": kwh(line.imported_kwh),
                "p_con": ct_per_kwh(line.p_con_ct_per_kwh),
                # The amount column adds up to the net: import costs count against the member.
                "import_cost": exact_ct(-line.import_cost_ct),
            }
            for line in document.lines
        ],
        "exported": kwh(document.energy_exported_kwh),
        "imported": kwh(document.energy_imported_kwh),
        "export_revenue": exact_ct(document.export_revenue_ct),
        "import_cost": exact_ct(-document.import_cost_ct),
        "net_ct": exact_ct(document.net_amount_ct),
        "net_eur": eur(document.net_amount_ct),
        "settlement": settlement_sentence(document.net_amount_ct),
        "tariff": {
            "p_pv": ct_per_kwh(document.tariff.p_pv),
            "p_con": ct_per_kwh(document.tariff.p_con),
            "p_grid_del": ct_per_kwh(document.tariff.p_grid_del),
            "p_grid_con": ct_per_kwh(document.tariff.p_grid_con),
        },
        # charts.daily_energy_svg escapes everything it writes; autoescaping it again would print markup.
        "chart": mark_safe(charts.daily_energy_svg(document.daily, font_family=FONT_FAMILY)),
    }


def render_html(document: InvoiceDocument) -> str:
    """The HTML WeasyPrint lays out (useful for looking at a document in a browser)."""
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
