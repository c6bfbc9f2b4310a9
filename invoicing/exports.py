"""A month's invoices in the functional spec's exchange format (section 3.1) as CSV, XLSX or JSON
(the spec's settlement period object, section 3.2, with its ``invoices``), and its PDFs as a ZIP.

Field names and order are the spec's. Timestamps are UTC with a ``Z``; ``period_end`` is written
as the spec writes it, the last second of the period, although the period is stored half-open.
Amounts are plain decimal numbers without trailing zeros (``9010``, ``3007.5``), and JSON numbers
are written from the Decimal's digits, never through float. CSV and XLSX cells go through
``core.spreadsheets`` (formula cells neutralised, numbers kept as numbers).
"""

import datetime as dt
import hashlib
import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from core import archives, spreadsheets
from core.spreadsheets import plain_decimal

from .models import CancellationNote, Invoice, PdfState, SettlementPeriod, StatementDocument
from .selectors.invoices import DAMAGED_PDF

SPEC_FIELDS = (
    "invoice_id",
    "house_id",
    "period_start",
    "period_end",
    "energy_exported_kwh",
    "energy_imported_kwh",
    "export_revenue_ct",
    "import_cost_ct",
    "net_amount_ct",
    "status",
)
LAST_SECOND = dt.timedelta(seconds=1)


def utc_timestamp(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def invoice_record(invoice: Invoice) -> dict[str, str | Decimal | None]:
    """One invoice as the spec's record; amounts stay Decimal for the writers below."""
    return {
        "invoice_id": invoice.number,
        "house_id": invoice.house_key,
        "period_start": utc_timestamp(invoice.period_start),
        "period_end": utc_timestamp(invoice.period_end - LAST_SECOND),
        "energy_exported_kwh": invoice.energy_exported_kwh,
        "energy_imported_kwh": invoice.energy_imported_kwh,
        "export_revenue_ct": invoice.export_revenue_ct,
        "import_cost_ct": invoice.import_cost_ct,
        "net_amount_ct": invoice.net_amount_ct,
        "status": invoice.status,
    }


def _rows(records: list[dict]):
    return ([record[field] for field in SPEC_FIELDS] for record in records)


def records_to_csv(records: list[dict]) -> str:
    return spreadsheets.to_csv(SPEC_FIELDS, _rows(records))


def records_to_xlsx(records: list[dict]) -> bytes:
    """One sheet, the spec's columns; energies and amounts are number cells."""
    return spreadsheets.to_xlsx(SPEC_FIELDS, _rows(records), title="invoices")


def _json_value(value) -> str:
    return plain_decimal(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)


def _json_invoice(record: dict) -> str:
    members = ",\n".join(f"      {json.dumps(field)}: {_json_value(record[field])}" for field in SPEC_FIELDS)
    return "    {\n" + members + "\n    }"


def period_to_json(period: SettlementPeriod, records: list[dict]) -> str:
    """The spec's settlement period object (3.2) with its ``invoices`` (3.1), two-space indented
    like the spec's examples; amounts are JSON numbers written from the Decimal's digits."""
    head = {
        "period_id": period.month,
        "start": utc_timestamp(period.start),
        "end": utc_timestamp(period.end - LAST_SECOND),
        "status": period.status,
    }
    lines = [f"  {json.dumps(name)}: {json.dumps(value)}," for name, value in head.items()]
    invoices = "[]" if not records else "[\n" + ",\n".join(map(_json_invoice, records)) + "\n  ]"
    return "{\n" + "\n".join(lines) + f'\n  "invoices": {invoices}\n}}\n'


def month_pdfs(*, period: SettlementPeriod) -> list[tuple[str, object]]:
    """Every stored PDF of the month, as (file name in the archive, document): the issued invoices,
    their cancellation notes and the frozen statement, each only once rendered."""
    rendered = {"pdf_state": PdfState.RENDERED}
    invoices = period.invoices.issued().filter(**rendered).order_by("number")
    notes = CancellationNote.objects.filter(cancelled_invoice__period=period, **rendered).order_by("number")
    statements = StatementDocument.objects.filter(period=period, **rendered)
    documents = [(f"{invoice.number}.pdf", invoice) for invoice in invoices]
    documents += [(f"{note.number}.pdf", note) for note in notes]
    documents += [(f"statement-{period.community.slug}-{period.month}.pdf", document) for document in statements]
    return documents


def _stored_sha256(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as stored:
        while chunk := stored.read(archives.CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def month_pdfs_zip(*, period: SettlementPeriod):
    """The month's PDFs as a stream of ZIP bytes (``core.archives``). Every file is first checked,
    chunk by chunk, against the SHA-256 recorded when it was rendered, so a damaged file stops the
    export before a byte is sent. Raises ``ValidationError`` naming the documents that differ."""
    documents = month_pdfs(period=period)
    damaged = [
        str(document) for _, document in documents if _stored_sha256(document.pdf_file.name) != document.pdf_sha256
    ]
    if damaged:
        raise ValidationError(DAMAGED_PDF % {"documents": ", ".join(damaged)})
    members = [(name, _opener(document.pdf_file.name)) for name, document in documents]
    return archives.zip_stream(members)


def _opener(name: str):
    return lambda: default_storage.open(name, "rb")
