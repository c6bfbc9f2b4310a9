"""Reading a meter-data file in chunks: CSV (`,` or `;`, UTF-8 with or without BOM, Windows-1252) or XLSX.

Every chunk is a DataFrame of strings (no type guessing: numbers and times are parsed strictly
later) with the file row number of its first line. The format is detected from the bytes, so the
user never chooses it.
"""

import codecs
import csv
import datetime as dt
import io
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
from babel.numbers import format_decimal
from django.conf import settings
from django.utils.translation import gettext, ngettext

from core.local_format import active_language, locale_of, whole_number

# 100,000 rows of four short strings are ~30 MB as a DataFrame: large enough that pandas' C
# parser and the vectorised checks dominate, small enough to keep peak memory flat.
CHUNK_ROWS = 100_000
# An XLSX chunk is built as Python lists first (~300 bytes a row before it becomes a DataFrame), so
# it is kept smaller: 20,000 rows cost ~6 MB, and openpyxl's parsing, not the chunking, sets the pace.
XLSX_CHUNK_ROWS = 20_000
# XLSX is a zip of XML: refuse before parsing anything that would unpack to more than this.
XLSX_MAX_UNPACKED_BYTES = 500 * 1024 * 1024
# A header names a handful of columns; a longer first line is not a meter-data header.
MAX_HEADER_CHARS = 10_000
BLOCK_BYTES = 1 << 20
# Excel 97-2003 (.xls) files start with the OLE2 signature.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0"


class FileRejected(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Chunk:
    frame: pd.DataFrame  # columns as in the header, all values str
    first_row: int  # file row number of the frame's first line (the header is row 1)


class TableSource:
    """A readable table: ``header`` (list of str), ``delimiter``, ``kind`` and ``chunks()``."""

    kind = ""
    delimiter = ","
    encoding = ""
    header: list[str]

    def chunks(self) -> Iterator[Chunk]:
        raise NotImplementedError


def open_table(fileobj) -> TableSource:
    """Detect the file's kind and return a source positioned at its first data row.

    ``fileobj`` is a binary file object that can seek (an open file, a Django File, BytesIO).
    """
    limits = ImportLimits.from_settings()
    size = fileobj.seek(0, io.SEEK_END)
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    if not head:
        raise FileRejected(_empty_file_message())
    limits.check_size(size)
    if head.startswith(b"PK\x03\x04"):
        return XlsxSource(fileobj, limits)
    if head.startswith(OLE2_SIGNATURE):
        raise FileRejected(gettext("The file is an old Excel workbook (.xls). Save it as XLSX or CSV and upload that."))
    return CsvSource(fileobj, limits)


def _empty_file_message() -> str:
    return gettext("The file is empty. Export the meter data again and upload the file with its contents.")


def _size_text(size: int) -> str:
    if size >= 2**20:
        return f"{format_decimal(round(size / 2**20, 1), format='#,##0.0', locale=locale_of(active_language()))} MB"
    return ngettext("%(count)s byte", "%(count)s bytes", size) % {"count": whole_number(size, active_language())}


@dataclass(frozen=True)
class ImportLimits:
    """What one file may hold (settings LEG_IMPORT_MAX_BYTES, LEG_IMPORT_MAX_ROWS), checked before parsing."""

    max_bytes: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> "ImportLimits":
        return cls(max_bytes=settings.LEG_IMPORT_MAX_BYTES, max_rows=settings.LEG_IMPORT_MAX_ROWS)

    def check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise FileRejected(
                gettext(
                    "The file is %(size)s; at most %(most)s are accepted (LEG_IMPORT_MAX_BYTES). "
                    "Split it into smaller files, e.g. one per month."
                )
                % {"size": _size_text(size), "most": _size_text(self.max_bytes)}
            )

    def check_rows(self, rows: int) -> None:
        if rows > self.max_rows:
            raise FileRejected(
                gettext(
                    "The file has %(rows)s data rows; at most %(most)s are accepted (LEG_IMPORT_MAX_ROWS). "
                    "Split it into smaller files, e.g. one per month."
                )
                % {
                    "rows": whole_number(rows, active_language()),
                    "most": whole_number(self.max_rows, active_language()),
                }
            )


@dataclass
class TextScan:
    encoding: str
    data_rows: int  # lines after the header (a last line without a newline counts)


def scan_text(fileobj) -> TextScan:
    """One pass over a CSV's bytes, before any parsing: its encoding (UTF-8 with or without BOM if
    the whole file decodes as UTF-8, else Windows-1252 as German Excel writes), its data rows, and
    a refusal naming the row if it holds binary data (a NUL byte, or bytes no text encoding has)."""
    fileobj.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    lines, last = 0, b""
    while block := fileobj.read(BLOCK_BYTES):
        nul = block.find(b"\x00")
        if nul >= 0:
            _refuse_binary(lines + block.count(b"\n", 0, nul) + 1)
        if utf8_ok:
            try:
                utf8.decode(block)
            except UnicodeDecodeError:
                utf8_ok = False
        if cp1252_ok:
            try:
                cp1252.decode(block)
            except UnicodeDecodeError as error:
                cp1252_ok = False
                cp1252_row = lines + block.count(b"\n", 0, error.start) + 1
        lines += block.count(b"\n")
        last = block
    fileobj.seek(0)
    if last and not last.endswith(b"\n"):
        lines += 1
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if not utf8_ok and not cp1252_ok:
        _refuse_binary(cp1252_row)
    fileobj.seek(0)
    has_bom = fileobj.read(3) == codecs.BOM_UTF8
    fileobj.seek(0)
    encoding = ("utf-8-sig" if has_bom else "utf-8") if utf8_ok else "cp1252"
    return TextScan(encoding=encoding, data_rows=max(lines - 1, 0))


def _refuse_binary(row: int) -> None:
    raise FileRejected(
        gettext(
            "Row %(row)s holds binary data, not text: the file is neither CSV nor an Excel workbook (XLSX). "
            "Export the meter data as CSV or XLSX and upload that file."
        )
        % {"row": row}
    )


class CsvSource(TableSource):
    kind = "csv"

    def __init__(self, fileobj, limits: ImportLimits):
        self.fileobj = fileobj
        scan = scan_text(fileobj)
        limits.check_rows(scan.data_rows)
        self.encoding = scan.encoding
        text = io.TextIOWrapper(fileobj, encoding=self.encoding, newline="")
        try:
            # A header is the first line with content; leading blank lines are not allowed (row numbers).
            first_line = text.readline(MAX_HEADER_CHARS + 1)
        finally:
            text.detach()
        fileobj.seek(0)
        if len(first_line) > MAX_HEADER_CHARS:
            raise FileRejected(
                gettext(
                    "Row 1, the header, is longer than %(most)s characters, so it cannot be a header naming the "
                    "columns (house_id, timestamp, energy_exported_kwh, energy_imported_kwh). "
                    "Export the meter data again as CSV or XLSX."
                )
                % {"most": whole_number(MAX_HEADER_CHARS, active_language())}
            )
        stripped = first_line.strip()
        if not stripped:
            raise FileRejected(
                gettext(
                    "The file has no header in row 1. The first row must name the columns, "
                    "e.g. house_id,timestamp,energy_exported_kwh,energy_imported_kwh."
                )
            )
        # `;` wins when present: German exports separate with `;` and may use `,` inside numbers.
        self.delimiter = ";" if ";" in stripped else ("\t" if "\t" in stripped else ",")
        self.header = next(csv.reader([stripped], delimiter=self.delimiter))

    def chunks(self) -> Iterator[Chunk]:
        self.fileobj.seek(0)
        reader = pd.read_csv(
            self.fileobj,
            sep=self.delimiter,
            encoding=self.encoding,
            dtype=str,
            header=0,
            names=None,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            skipinitialspace=True,
            chunksize=CHUNK_ROWS,
            engine="c",
            index_col=False,
        )
        first_row = 2
        try:
            while True:
                # pandas drops the surplus of a first data row longer than the header, with only a
                # warning (later long rows are a ParserError): both become the same row error.
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    frame = next(reader, None)
                if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
                    raise FileRejected(self._too_many_fields(first_row))
                if frame is None:
                    break
                yield Chunk(frame, first_row)
                first_row += len(frame)
        except pd.errors.ParserError as error:
            match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
            if match:
                raise FileRejected(self._too_many_fields(int(match.group(2)))) from error
            raise FileRejected(
                gettext("The file cannot be read as CSV (%(error)s). Export it again as CSV or XLSX.")
                % {"error": error}
            ) from error
        finally:
            reader.close()

    def _too_many_fields(self, row: int) -> str:
        return gettext(
            "Row %(row)s has more fields than the header (%(fields)s). Check that this row uses the same "
            "delimiter (%(delimiter)r) as the header and quotes values that contain it."
        ) % {"row": row, "fields": len(self.header), "delimiter": self.delimiter}


def _cell_text(value) -> str:
    """An XLSX cell as text. Numbers are written with a decimal comma, so they pass the same strict
    rules as a `;` file (typed numbers are exact; a text cell such as '1.234' stays ambiguous)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = format(Decimal(repr(value)), "f")
        return text.replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class XlsxSource(TableSource):
    kind = "xlsx"
    delimiter = ";"  # number rules: see _cell_text
    encoding = "xlsx"

    def __init__(self, fileobj, limits: ImportLimits):
        from openpyxl import load_workbook  # uses defusedxml when installed (it is: requirements.txt)

        try:
            with zipfile.ZipFile(fileobj) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise FileRejected(
                gettext("The file looks like Excel (XLSX) but is damaged. Save it again from Excel.")
            ) from error
        if unpacked > XLSX_MAX_UNPACKED_BYTES:
            raise FileRejected(
                gettext("The Excel file unpacks to %(size)s MB (at most %(most)s MB). Save it as CSV instead.")
                % {"size": unpacked // 1_000_000, "most": XLSX_MAX_UNPACKED_BYTES // 1_000_000}
            )
        fileobj.seek(0)
        try:
            # read_only streams the sheet row by row: memory stays flat whatever the file's length.
            self.workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception as error:
            raise FileRejected(
                gettext("The Excel file cannot be opened (%(error)s). Save it again as XLSX or CSV.") % {"error": error}
            ) from error
        sheet = self.workbook.worksheets[0]
        self.limits = limits
        limits.check_rows(max(sheet_rows(sheet) - 1, 0))
        # The sheet's <dimension> is what the writer declared, not what is there: a stale one would
        # cut the rows (or columns) read, silently. Read to the real last row instead.
        sheet.reset_dimensions()
        self.rows = sheet.iter_rows(values_only=True)
        header = next(self.rows, None)
        if header is None or not any(cell not in (None, "") for cell in header):
            raise FileRejected(_empty_file_message())
        self.header = [_cell_text(cell) for cell in header]
        while self.header and self.header[-1] == "":
            self.header.pop()
        if sum(len(name) for name in self.header) > MAX_HEADER_CHARS:
            raise FileRejected(
                gettext(
                    "Row 1, the header, holds more than %(most)s characters, so it cannot be a header naming the "
                    "columns. Export the meter data again."
                )
                % {"most": whole_number(MAX_HEADER_CHARS, active_language())}
            )

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.header)
        batch: list[list[str]] = []
        first_row = 2
        for count, values in enumerate(self.rows, start=1):
            if count > self.limits.max_rows:  # sheet_rows counted tags; this is the last word
                self.limits.check_rows(count)
            cells = [_cell_text(cell) for cell in values[:width]]
            cells.extend([""] * (width - len(cells)))
            batch.append(cells)
            if len(batch) == XLSX_CHUNK_ROWS:
                yield Chunk(pd.DataFrame(batch, columns=self.header, dtype=str), first_row)
                first_row += len(batch)
                batch = []
        if batch:
            yield Chunk(pd.DataFrame(batch, columns=self.header, dtype=str), first_row)
        self.workbook.close()


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def sheet_rows(sheet) -> int:
    """The rows a read-only sheet really holds, counted from its XML's row tags without parsing it
    (fast, flat memory), whatever its <dimension> declares."""
    rows, tail = 0, b""
    with sheet._get_source() as source:
        while block := source.read(BLOCK_BYTES):
            buffer = tail + block
            rows += sum(1 for match in _ROW_TAG.finditer(buffer) if match.end() > len(tail))
            tail = buffer[-16:]
    return rows
