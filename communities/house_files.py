"""Reading a houses file (CSV or XLSX, detected from its bytes) into a ``tablib.Dataset``.

A houses file is small (a row per member), so it is read whole. Rows are counted as a spreadsheet
shows them: the header is row 1, the first house row 2; a quoted address spanning several lines
is still one row.
"""

import csv
import io

import tablib
from django.utils.translation import gettext as _
from import_export.formats.base_formats import Format

# 5 MB holds some 30,000 houses; anything larger is not a houses file.
MAX_BYTES = 5 * 1024 * 1024
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"


class HouseFileRejected(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


def read_table(fileobj) -> tablib.Dataset:
    """The file's header and rows; ``fileobj`` is binary (an open file, an upload, BytesIO)."""
    data = fileobj.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise HouseFileRejected(
            _("The file is larger than %(mb)s MB, too large for a houses file. Split it into smaller files.")
            % {"mb": MAX_BYTES // 2**20}
        )
    if not data.strip():
        raise HouseFileRejected(_("The file is empty. Export the houses again and upload the file with its contents."))
    if data.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(data)
    elif data.startswith(OLE2_SIGNATURE):
        raise HouseFileRejected(_("The file is an old Excel workbook (.xls). Save it as XLSX or CSV and upload that."))
    else:
        rows = _csv_rows(data)
    return _dataset(rows)


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # German Excel's "CSV (Trennzeichen-getrennt)"
    first_line = text.split("\n", 1)[0]
    # `;` wins when present: German exports separate with `;`.
    delimiter = ";" if ";" in first_line else ("\t" if "\t" in first_line else ",")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list]:
    from openpyxl import load_workbook  # uses defusedxml (requirements.txt)

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise HouseFileRejected(
            _("The Excel file cannot be opened (%(error)s). Save it again as XLSX or CSV.") % {"error": error}
        ) from error
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # read to the real last row, whatever the sheet declares
        return [list(values) for values in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _dataset(rows: list[list]) -> tablib.Dataset:
    """Header and rows of equal width; trailing empty rows and header cells dropped, rows padded."""
    while rows and all(_blank(cell) for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise HouseFileRejected(_("The file is empty. Export the houses again and upload the file with its contents."))
    header = ["" if cell is None else str(cell).strip() for cell in rows[0]]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    dataset = tablib.Dataset(headers=header)
    for number, row in enumerate(rows[1:], start=2):
        if any(not _blank(cell) for cell in row[width:]):
            raise HouseFileRejected(
                _(
                    "Row %(row)s has more fields than the header (%(width)s). Quote values that contain the "
                    "delimiter, e.g. an address with a comma, or add the missing column name to row 1."
                )
                % {"row": number, "width": width}
            )
        cells = list(row[:width])
        dataset.append(cells + [""] * (width - len(cells)))
    return dataset


class HouseFileFormat(Format):
    """The admin's one import format: CSV (`,` or `;`, UTF-8 or Windows-1252) or XLSX, told apart by the file."""

    def __init__(self, encoding=None, **kwargs):
        self.encoding = encoding  # detected per file, whatever the admin passes

    def get_title(self):
        return _("CSV or Excel (XLSX)")

    def create_dataset(self, in_stream):
        return read_table(io.BytesIO(in_stream))

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def get_extension(self):
        return "csv"

    def get_content_type(self):
        return "text/csv"

    def can_import(self):
        return True

    def can_export(self):
        return False
