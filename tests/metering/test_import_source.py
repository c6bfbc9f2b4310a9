"""Reading files safely: the real last row of an XLSX, impossible years, runaway headers, binary
content, readings from the future, and the size and row limits checked before parsing."""

import datetime as dt
import io
import re
import zipfile

import pytest
import time_machine
from django.test import override_settings

from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory

from .import_helpers import INTERVAL_HEADER, csv_bytes, only_error, run_import, xlsx_bytes

pytestmark = pytest.mark.django_db

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    HouseFactory(community=community, house_id="house_1")
    return community


def quarter_hours(count: int) -> list[list]:
    return [["house_1", f"{OCT_1 + dt.timedelta(minutes=15 * i):%Y-%m-%dT%H:%M:%SZ}", "1", "0"] for i in range(count)]


def with_stale_dimension(data: bytes, declared: str) -> bytes:
    """The workbook as a writer that forgot to update <dimension> leaves it."""
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{declared}"'.encode(), content)
            out.writestr(item, content)
    return target.getvalue()


def test_an_xlsx_with_a_stale_dimension_is_read_to_its_real_last_row(community):
    data = with_stale_dimension(xlsx_bytes([INTERVAL_HEADER, *quarter_hours(5)]), "A1:D2")

    result = run_import(community, data)

    assert result.ok, [str(error) for error in result.errors]
    assert (result.rows_read, MeterReading.objects.count()) == (5, 5)


@override_settings(LEG_IMPORT_MAX_ROWS=3)
def test_a_stale_dimension_does_not_bypass_the_row_limit(community):
    data = with_stale_dimension(xlsx_bytes([INTERVAL_HEADER, *quarter_hours(5)]), "A1:D2")

    assert (
        "has 5 data rows; at most 3 are accepted (LEG_IMPORT_MAX_ROWS)"
        in only_error(run_import(community, data)).message
    )


@pytest.mark.parametrize("year", ["0001", "9999"])
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_impossible_years_are_a_row_error_not_a_crash(community, year, kind):
    if kind == "csv":
        data = csv_bytes([INTERVAL_HEADER, ["house_1", f"{year}-01-01T00:00:00Z", "1", "0"]])
    else:
        data = xlsx_bytes([INTERVAL_HEADER, ["house_1", dt.datetime(int(year), 1, 1), 1, 0]])

    error = only_error(run_import(community, data))

    assert (error.row, error.column) == (2, "timestamp")
    assert "has a year outside 2000 to 2100" in error.message


def test_a_one_megabyte_header_line_is_refused_by_name(community):
    data = ("house_id," + "x" * 1_000_000 + ",timestamp\nhouse_1,2026-10-01T00:00:00Z\n").encode()

    assert "Row 1, the header, is longer than 10,000 characters" in only_error(run_import(community, data)).message


def test_a_runaway_value_is_quoted_shortened(community):
    error = only_error(
        run_import(community, csv_bytes([INTERVAL_HEADER, ["h" * 200_000, "2026-10-01T00:00:00Z", "1", "0"]]))
    )

    assert error.value.endswith("… (200,000 characters)") and len(error.value) < 120


@pytest.mark.parametrize("garbage", [b"\x00\x01\x02\x03" * 100, bytes(range(128, 256)) * 10])
def test_binary_content_is_refused_naming_the_row(community, garbage):
    data = csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "1", "0"]]) + garbage

    assert "Row 3 holds binary data, not text" in only_error(run_import(community, data)).message


@time_machine.travel(dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC), tick=False)
def test_readings_far_in_the_future_are_refused(community):
    data = csv_bytes(
        [
            INTERVAL_HEADER,
            ["house_1", "2026-12-02T00:00:00Z", "1", "0"],  # within two days of now: a clock running ahead
            ["house_1", "2099-01-01T00:00:00Z", "1", "0"],
        ]
    )

    error = only_error(run_import(community, data))

    assert (error.row, error.value) == (3, "2099-01-01T00:00:00Z")
    assert "lies in the future" in error.message


@override_settings(LEG_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused_before_parsing(community):
    error = only_error(run_import(community, csv_bytes([INTERVAL_HEADER, *quarter_hours(5)])))

    assert "at most 100 bytes are accepted (LEG_IMPORT_MAX_BYTES)" in error.message


@override_settings(LEG_IMPORT_MAX_ROWS=4)
def test_a_csv_over_the_row_limit_is_refused_before_parsing(community):
    error = only_error(run_import(community, csv_bytes([INTERVAL_HEADER, *quarter_hours(5)])))

    assert error.message.startswith("The file has 5 data rows; at most 4 are accepted (LEG_IMPORT_MAX_ROWS).")
