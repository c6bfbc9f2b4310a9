"""What a PDF invoice or cancellation document says, frozen: pure data, no ORM.

The pipeline copies what an issued invoice says into an ``InvoiceDocument``; ``invoice_layout``
turns it into the printed page.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

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
    tax_id: str = ""
    legal_note: str = ""  # printed as written; nothing is computed from it
    iban: str = ""
    bic: str = ""
    bank_name: str = ""


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
class DailyPrice:
    """What a house's energy of one local day cost on average at break-even prices, ct/kWh.

    None where the house had no such energy that day (no price was charged)."""

    day: dt.date
    p_pv_ct_per_kwh: Decimal | None
    p_con_ct_per_kwh: Decimal | None

    def __post_init__(self):
        _check_types(self, {"day": dt.date})
        for name in ("p_pv_ct_per_kwh", "p_con_ct_per_kwh"):
            if getattr(self, name) is not None:
                _check_types(self, {name: Decimal})


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
    ``refers_to`` (and ``refers_to_date``, ``corrected_by``) to the cancelled invoice's number,
    its date and the corrected invoice's number; the renderer shows what it is given.
    ``break_even``: priced per interval, so the document shows the prices actually charged
    (``daily_prices`` per day) and never the tariff's nominal p_con.
    ``lines``, ``daily`` and ``daily_prices`` may be given as lists; they are stored as tuples.
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
    language: str = "en"
    due_date: dt.date | None = None
    payment_terms_days: int | None = None
    break_even: bool = False
    daily_prices: tuple[DailyPrice, ...] = ()
    refers_to_date: dt.date | None = None
    corrected_by: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "daily", tuple(self.daily))
        object.__setattr__(self, "daily_prices", tuple(self.daily_prices))
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
        if not all(isinstance(day, DailyPrice) for day in self.daily_prices):
            raise TypeError("daily_prices must hold DailyPrice objects.")
        if self.due_date is not None:
            _check_types(self, {"due_date": dt.date})


def long_date(day: dt.date) -> str:
    """``1 October 2026``: English month names regardless of the process locale (staff pages)."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
