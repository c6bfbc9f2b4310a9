"""Builders for meter-data files in tests: small CSV/XLSX files in memory."""

import io

import pytest
from django.test import override_settings
from django.utils import translation

from metering.imports import readings_import


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


@pytest.fixture(params=["en", "de"])
def language(request):
    """Runs a test under LANGUAGE_CODE en and de: nothing the import reads may depend on it."""
    with override_settings(LANGUAGE_CODE=request.param), translation.override(request.param):
        yield request.param
