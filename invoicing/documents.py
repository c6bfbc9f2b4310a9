"""PDF invoices and cancellation documents. Pure rendering: a frozen document in, PDF bytes out, no ORM.

The pipeline copies what an issued invoice says into an ``InvoiceDocument`` and calls
``render_pdf`` (one) or ``render_pdfs`` (a batch, the fast path). Rendering uses Django's template
engine with autoescaping, the project's own fonts, and a URL fetcher that serves nothing but the
files under ``invoicing/static/``: no network, no ``file://`` outside it.

Speed (``benchmarks/bench_pdf.py``, about 0.1 s per PDF): the template, the parsed CSS, the
FontConfiguration and the fetcher are built once per process (per thread) and reused; the shipped
fonts are reduced DejaVu Sans files, because WeasyPrint subsets every embedded font on every
render and the full files made that half the cost; the layout avoids flexbox.

Output is deterministic: the same document gives the same bytes (no creation date, a PDF
identifier derived from the document, fixed font timestamps), so the stored SHA-256 stays true.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import mimetypes
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.template.loader import get_template
from django.utils.safestring import mark_safe

from core.formatting import ct_per_kwh, eur, kwh

from . import charts

# The only files a PDF may load: this app's static directory (not settings.STATIC_ROOT, which
# collectstatic fills with every app's files).
ASSETS_ROOT = (Path(__file__).resolve().parent / "static").resolve()
PDF_ASSETS = ASSETS_ROOT / "invoicing" / "pdf"
STYLESHEET = PDF_ASSETS / "invoice.css"
TEMPLATE_NAME = "invoicing/pdf/invoice.html"
# Relative URLs in the template and stylesheet resolve against this, inside the served tree.
BASE_URL = PDF_ASSETS.as_uri() + "/"

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
# The @font-face family in invoice.css. Not "DejaVu Sans": that name would also match the system's
# copy through fontconfig, and the PDF would silently embed whatever the host has installed.
FONT_FAMILY = "Invoice Sans"


# --- The document ------------------------------------------------------------------------------


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
    period_id: str
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
                "period_id": str,
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


# --- Display helpers ---------------------------------------------------------------------------


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


# --- Fetching assets ---------------------------------------------------------------------------


class _SubsetterNotice(logging.Filter):
    """Drops WeasyPrint's per-font, per-render advice to install HarfBuzz-Subset.

    Without libharfbuzz-subset WeasyPrint subsets with fontTools and says so twice for every PDF,
    4,000 identical warnings per close. The choice is known and measured (see the fonts' README).
    """

    def filter(self, record):
        return "HarfBuzz-Subset" not in record.getMessage()


def _weasyprint():
    # fontTools logs some forty INFO lines per subset font and WeasyPrint seven progress lines per
    # PDF; at 2,000 PDFs per close that drowns the worker log. Keep their warnings only (set
    # before the import, which already parses WeasyPrint's own stylesheets).
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    weasyprint_log = logging.getLogger("weasyprint")
    if not any(isinstance(f, _SubsetterNotice) for f in weasyprint_log.filters):
        weasyprint_log.addFilter(_SubsetterNotice())

    # Imported lazily: WeasyPrint loads Pango and friends, which the web and admin never need.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    return weasyprint, FontConfiguration


class AssetRefused(ValueError):
    """A document asked for something outside the project's static files."""


def static_asset_fetcher(root: Path = ASSETS_ROOT):
    """A WeasyPrint URL fetcher that serves only regular files under ``root`` (``invoicing/static``).

    Everything else is refused with ``AssetRefused``: other schemes (http, https, data, ...),
    ``file://`` paths that resolve outside ``root`` (``..``, symlinks, absolute paths), and
    missing files. The fetcher fails the render instead of letting WeasyPrint fall back, so a
    missing font is an error and not a silently different PDF. File contents are cached: the
    assets are part of the code and a process serves them thousands of times per close.
    """
    _weasyprint()  # logging set up before WeasyPrint's first import
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(root).resolve()

    class StaticAssetFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
            self._cache: dict[Path, tuple[bytes, str]] = {}

        def resolve(self, url: str) -> Path:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file":
                raise AssetRefused(f"Only the project's static files can be used in a PDF, not {url!r}.")
            if parts.netloc not in ("", "localhost"):
                raise AssetRefused(f"Only local files can be used in a PDF, not {url!r}.")
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not path.is_relative_to(root):
                raise AssetRefused(f"{url!r} is outside the static files ({root}).")
            if not path.is_file():
                raise AssetRefused(f"{url!r} is not a file under the static files.")
            return path

        def fetch(self, url, headers=None):
            path = self.resolve(url)
            if path not in self._cache:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                self._cache[path] = (path.read_bytes(), content_type)
            body, content_type = self._cache[path]
            return URLFetcherResponse(path.as_uri(), body, {"Content-Type": content_type})

    return StaticAssetFetcher()


# --- Rendering ---------------------------------------------------------------------------------

# fontTools stamps every font subset it writes with the current time (the 'head' table's
# "modified" field) unless SOURCE_DATE_EPOCH is set, which made two renders of one document differ
# in a few bytes. It is set to a constant while a render runs and restored after the last
# concurrent render in the process finishes.
FONT_TIMESTAMP_EPOCH = "946684800"  # 2000-01-01T00:00:00Z, any constant will do
_epoch_lock = threading.Lock()
_epoch_renders = 0
_epoch_saved: str | None = None


@contextlib.contextmanager
def _fixed_font_timestamps():
    global _epoch_renders, _epoch_saved
    with _epoch_lock:
        if _epoch_renders == 0:
            _epoch_saved = os.environ.get("SOURCE_DATE_EPOCH")
            os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP_EPOCH
        _epoch_renders += 1
    try:
        yield
    finally:
        with _epoch_lock:
            _epoch_renders -= 1
            if _epoch_renders == 0:
                if _epoch_saved is None:
                    os.environ.pop("SOURCE_DATE_EPOCH", None)
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = _epoch_saved


class Renderer:
    """What can be reused from one PDF to the next: template, fonts, parsed CSS, URL fetcher.

    Building one costs about as much as a render (font loading, CSS parsing); reusing it is what
    makes a batch fast. Not shared between threads (Pango/fontconfig state); ``render_pdfs`` keeps
    one per thread.
    """

    def __init__(self):
        weasyprint, FontConfiguration = _weasyprint()
        self._weasyprint = weasyprint
        self.template = get_template(TEMPLATE_NAME)
        self.url_fetcher = static_asset_fetcher()
        self.font_config = FontConfiguration()
        self.stylesheet = weasyprint.CSS(
            url=STYLESHEET.as_uri(), url_fetcher=self.url_fetcher, font_config=self.font_config
        )

    def render(self, document: InvoiceDocument) -> bytes:
        return self.write_pdf(self.template.render(_context(document)), identifier=f"{document.kind}:{document.number}")

    def write_pdf(self, html: str, *, identifier: str) -> bytes:
        """Any of the project's PDF templates, laid out with the shared fonts, CSS and fetcher."""
        with _fixed_font_timestamps():
            return self._weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=self.url_fetcher).write_pdf(
                stylesheets=[self.stylesheet],
                font_config=self.font_config,
                # The file identifier is derived from the document, not random: same document,
                # same bytes, same SHA-256.
                pdf_identifier=hashlib.sha256(identifier.encode()).hexdigest()[:32].encode(),
            )


_local = threading.local()


def _renderer() -> Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = Renderer()
    return renderer


def render_pdfs(documents: Iterable[InvoiceDocument]) -> Iterator[bytes]:
    """Render each document to PDF bytes, in order, reusing fonts, CSS and template between them."""
    renderer = _renderer()
    for document in documents:
        yield renderer.render(document)


def render_pdf(document: InvoiceDocument) -> bytes:
    """Render one document to PDF bytes. Same process-wide reuse as ``render_pdfs``."""
    return _renderer().render(document)


def render_template_pdf(template_name: str, context: dict, *, identifier: str) -> bytes:
    """Another PDF template (e.g. the community statement) with the invoices' fonts and rules."""
    return _renderer().write_pdf(get_template(template_name).render(context), identifier=identifier)
