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

# 100,000 rows of four short strings are ~30 MB as a DataFrame: large enough that pandas' C
# parser and the vectorised checks dominate, small enough to keep peak memory flat.
CHUNK_ROWS = 100_000
# XLSX is a zip of XML: refuse before parsing anything that would unpack to more than this.
XLSX_MAX_BYTES = 50 * 1024 * 1024
XLSX_MAX_UNPACKED_BYTES = 500 * 1024 * 1024
XLSX_MAX_ROWS = 2_000_000


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
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    if not head:
        raise FileRejected("The file is empty. Export the meter data again and upload the file with its contents.")
    if head.startswith(b"PK\x03\x04"):
        return XlsxSource(fileobj)
    return CsvSource(fileobj)


def _detect_encoding(fileobj) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as UTF-8, else Windows-1252 (German Excel)."""
    fileobj.seek(0)
    if fileobj.read(3) == codecs.BOM_UTF8:
        fileobj.seek(0)
        return "utf-8-sig"
    fileobj.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while block := fileobj.read(1 << 20):
            decoder.decode(block)
        decoder.decode(b"", final=True)
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "cp1252"
    fileobj.seek(0)
    return encoding


class CsvSource(TableSource):
    kind = "csv"

    def __init__(self, fileobj):
        self.fileobj = fileobj
        self.encoding = _detect_encoding(fileobj)
        text = io.TextIOWrapper(fileobj, encoding=self.encoding, newline="")
        try:
            first_line = ""
            # A header is the first line with content; leading blank lines are not allowed (row numbers).
            first_line = text.readline()
        finally:
            text.detach()
        fileobj.seek(0)
        stripped = first_line.strip()
        if not stripped:
            raise FileRejected(
                "The file has no header in row 1. The first row must name the columns, "
                "e.g. house_id,timestamp,energy_exported_kwh,energy_imported_kwh."
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
            raise FileRejected(f"The file cannot be read as CSV ({error}). Export it again as CSV or XLSX.") from error
        finally:
            reader.close()

    def _too_many_fields(self, row: int) -> str:
        return (
            f"Row {row} has more fields than the header ({len(self.header)}). Check that this row uses the same "
            f"delimiter ({self.delimiter!r}) as the header and quotes values that contain it."
        )


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

    def __init__(self, fileobj):
        from openpyxl import load_workbook  # uses defusedxml when installed (it is: requirements.txt)

        fileobj.seek(0, io.SEEK_END)
        size = fileobj.tell()
        fileobj.seek(0)
        if size > XLSX_MAX_BYTES:
            raise FileRejected(
                f"The Excel file is {size // 1_000_000} MB; at most {XLSX_MAX_BYTES // 1_000_000} MB are accepted. "
                "Save it as CSV instead, which has no size limit."
            )
        try:
            with zipfile.ZipFile(fileobj) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile as error:
            raise FileRejected("The file looks like Excel (XLSX) but is damaged. Save it again from Excel.") from error
        if unpacked > XLSX_MAX_UNPACKED_BYTES:
            raise FileRejected(
                f"The Excel file unpacks to {unpacked // 1_000_000} MB (at most {XLSX_MAX_UNPACKED_BYTES // 1_000_000} MB). "
                "Save it as CSV instead."
            )
        fileobj.seek(0)
        try:
            self.workbook = load_workbook(fileobj, read_only=True, data_only=True)
        except Exception as error:
            raise FileRejected(f"The Excel file cannot be opened ({error}). Save it again as XLSX or CSV.") from error
        sheet = self.workbook.worksheets[0]
        if (sheet.max_row or 0) > XLSX_MAX_ROWS:
            raise FileRejected(f"The sheet has {sheet.max_row} rows (at most {XLSX_MAX_ROWS}). Save it as CSV instead.")
        self.rows = sheet.iter_rows(values_only=True)
        header = next(self.rows, None)
        if header is None or not any(cell not in (None, "") for cell in header):
            raise FileRejected("The file is empty. Export the meter data again and upload the file with its contents.")
        self.header = [_cell_text(cell) for cell in header]
        while self.header and self.header[-1] == "":
            self.header.pop()

    def chunks(self) -> Iterator[Chunk]:
        width = len(self.header)
        batch: list[list[str]] = []
        first_row = 2
        for values in self.rows:
            cells = [_cell_text(cell) for cell in values[:width]]
            cells.extend([""] * (width - len(cells)))
            batch.append(cells)
            if len(batch) == CHUNK_ROWS:
                yield Chunk(pd.DataFrame(batch, columns=self.header, dtype=str), first_row)
                first_row += len(batch)
                batch = []
        if batch:
            yield Chunk(pd.DataFrame(batch, columns=self.header, dtype=str), first_row)
        self.workbook.close()
