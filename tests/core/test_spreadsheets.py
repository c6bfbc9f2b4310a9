"""Spreadsheet safety: formula cells neutralised, numbers kept, a decimal point in every CSV."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
import tablib
from django.utils import translation
from import_export.formats import base_formats
from openpyxl import load_workbook

from core import spreadsheets

HOSTILE = ["=1+2", "+SUM(A1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1", "\r=1", '=HYPERLINK("http://x")']


@pytest.mark.parametrize("text", HOSTILE)
def test_a_cell_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheets.neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["-12.5", "+3", "-0.25", "12", "Müller", "a=b", ""])
def test_numbers_and_plain_text_are_left_alone(text):
    assert spreadsheets.neutralise(text) == text


@pytest.mark.parametrize("value", [Decimal("-3007.5"), -3, -1.5, None])
def test_non_text_is_never_touched(value):
    assert spreadsheets.neutralise(value) == value


def test_csv_has_a_decimal_point_whatever_the_language():
    with translation.override("de"):
        text = spreadsheets.to_csv(["amount"], [[Decimal("3007.5000")], [Decimal("-0.5")]])

    assert text == "amount\n3007.5\n-0.5\n"


def test_csv_neutralises_hostile_cells_and_keeps_negative_numbers():
    text = spreadsheets.to_csv(["name", "amount"], [["=1+2", Decimal("-12.5")], ["@A1", "-7"]])

    assert list(csv.reader(io.StringIO(text))) == [["name", "amount"], ["'=1+2", "-12.5"], ["'@A1", "-7"]]


def test_xlsx_keeps_numbers_as_numbers_and_hostile_text_as_inert_text():
    data = spreadsheets.to_xlsx(["name", "amount"], [["=1+2", Decimal("-12.5")], ["-1+A1", 3]])

    sheet = load_workbook(io.BytesIO(data)).active
    rows = [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [[("'=1+2", "s"), (-12.5, "n")], [("'-1+A1", "s"), (3, "n")]]


def test_xlsx_stores_a_time_zone_aware_instant_as_text():
    instant = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    assert spreadsheets.xlsx_cell(instant) == "2026-01-01T00:00:00+00:00"


def _dataset():
    return tablib.Dataset(
        ["=cmd", Decimal("-12.5"), dt.date(2026, 1, 31), True], headers=["@name", "amount", "day", "ok"]
    )


def test_import_export_csv_format_neutralises_and_writes_plain_numbers():
    with translation.override("de"):
        text = spreadsheets.SafeCSV().export_data(_dataset())

    assert text.splitlines() == ["'@name,amount,day,ok", "'=cmd,-12.5,2026-01-31,1"]


def test_import_export_xlsx_format_neutralises_and_keeps_numbers():
    data = spreadsheets.SafeXLSX().export_data(_dataset())

    sheet = load_workbook(io.BytesIO(data)).active
    assert [cell.value for cell in sheet[2]][:2] == ["'=cmd", -12.5]
    assert sheet["A1"].value == "'@name"


def test_the_admin_export_formats_are_the_safe_ones_and_get_native_values(settings):
    assert [spreadsheets.SafeCSV, spreadsheets.SafeXLSX, spreadsheets.NativeJSON] == settings.EXPORT_FORMATS
    assert set(settings.EXPORT_FORMATS) <= set(base_formats.BINARY_FORMATS)
    assert not getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False)
