"""Invoices in the functional spec's exchange format (section 3.1), as CSV or JSON.

Field names and order are the spec's. Timestamps are UTC with a ``Z``; ``period_end`` is written
as the spec writes it, the last second of the period, although the period is stored half-open.
Amounts are plain decimal numbers without trailing zeros (``9010``, ``3007.5``), and JSON numbers
are written from the Decimal's digits, never through float.
"""

import csv
import datetime as dt
import io
import json
from decimal import Decimal

from .models import Invoice

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


def plain_decimal(value: Decimal) -> str:
    """``Decimal('9010.0000000')`` -> ``'9010'``; ``Decimal('3007.5000')`` -> ``'3007.5'``."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


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


def _csv_value(value) -> str:
    if value is None:
        return ""
    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def _json_value(value) -> str:
    return plain_decimal(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False)


def records_to_csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SPEC_FIELDS)
    for record in records:
        writer.writerow([_csv_value(record[field]) for field in SPEC_FIELDS])
    return buffer.getvalue()


def records_to_json(records: list[dict]) -> str:
    """A JSON array of the records, two-space indented like the spec's example."""
    if not records:
        return "[]\n"
    objects = []
    for record in records:
        members = ",\n".join(f"    {json.dumps(field)}: {_json_value(record[field])}" for field in SPEC_FIELDS)
        objects.append("  {\n" + members + "\n  }")
    return "[\n" + ",\n".join(objects) + "\n]\n"
