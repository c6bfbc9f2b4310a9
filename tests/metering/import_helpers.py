"""Builders for meter-data files in tests (small CSV/XLSX files in memory) and readers of the result."""

import io

from metering.imports import readings_import
from metering.models import MeterReading


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\n".join(delimiter.join(row) for row in rows) + "\n"
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(community, data: bytes, **kwargs):
    return readings_import(community=community, fileobj=io.BytesIO(data), **kwargs)


INTERVAL_HEADER = ["house_id", "timestamp", "energy_exported_kwh", "energy_imported_kwh"]
REGISTER_HEADER = ["house_id", "timestamp", "ei_kwh", "eo_kwh"]


def stored(community):
    return {
        (r.house.house_id, r.interval_start): (r.exported_wh, r.imported_wh)
        for r in MeterReading.objects.filter(house__community=community).select_related("house")
    }


def only_error(result):
    assert result.error_count == 1, [str(e) for e in result.errors]
    return result.errors[0]
