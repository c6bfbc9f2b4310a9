"""The engine reads, checks and writes a file chunk by chunk: across chunk boundaries it answers
as a read of the whole file would (here two rows a chunk), and stays all or nothing."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import translation

from metering.imports import engine, source
from metering.models import FrozenRange, MeterReading

from .import_helpers import INTERVAL_HEADER, csv_bytes, only_error, run_import, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def two_rows_a_chunk(monkeypatch):
    monkeypatch.setattr(source, "CHUNK_ROWS", 2)


def reading(house: str, minute: int, exported: str = "1") -> list[str]:
    return [house, f"2026-10-01T00:{minute:02d}:00Z", exported, "0"]


def test_identical_rows_in_different_chunks_count_once(community):
    rows = [reading("house_1", 0), reading("house_2", 0), reading("house_2", 15), reading("house_1", 0)]

    result = run_import(community, csv_bytes([INTERVAL_HEADER, *rows]))

    assert (result.rows_read, result.readings, result.created, result.error_count) == (4, 3, 3, 0)
    assert MeterReading.objects.count() == 3


def test_other_values_in_a_later_chunk_name_the_earlier_row_and_nothing_is_written(community):
    rows = [reading("house_1", 0), reading("house_2", 0), reading("house_2", 15), reading("house_1", 0, "2")]

    error = only_error(run_import(community, csv_bytes([INTERVAL_HEADER, *rows])))

    assert (error.row, error.column) == (5, "timestamp")
    assert "house_1 has another row for this interval (row 2)" in error.message
    assert MeterReading.objects.count() == 0


def test_a_row_is_compared_with_the_latest_earlier_row_of_its_interval(community):
    # Rows 2, 4 and 6 in three chunks: 4 differs from 2, and 6 repeats 4 exactly (no second error).
    rows = [
        reading("house_1", 0, "1"),
        reading("house_2", 0),
        reading("house_1", 0, "2"),
        reading("house_2", 15),
        reading("house_1", 0, "2"),
    ]

    error = only_error(run_import(community, csv_bytes([INTERVAL_HEADER, *rows])))

    assert error.row == 4
    assert "(row 2)" in error.message


def test_closed_period_rows_in_several_chunks_give_one_summary(community):
    FrozenRange.objects.create(
        community=community, start=OCT_1, end=OCT_1 + dt.timedelta(days=31), reason="Period 2026-10 closed"
    )
    rows = [reading("house_1", minute) for minute in (0, 15, 30, 45)]

    error = only_error(run_import(community, csv_bytes([INTERVAL_HEADER, *rows])))

    assert error.row == 2
    assert "4 rows refused (file rows 2 to 5)" in error.message
    assert MeterReading.objects.count() == 0


def test_a_bad_row_in_the_last_chunk_undoes_the_chunks_written_before(community):
    rows = [reading("house_1", minute) for minute in (0, 15, 30, 45)] + [reading("house_9", 0)]

    result = run_import(community, csv_bytes([INTERVAL_HEADER, *rows]))

    assert (result.error_count, result.created) == (1, 0)
    assert MeterReading.objects.count() == 0


def test_an_unreadable_last_chunk_undoes_the_chunks_written_before(community):
    data = csv_bytes([INTERVAL_HEADER] + [reading("house_1", minute) for minute in (0, 15, 30)])
    data += b"house_1,2026-10-01T00:45:00Z,1,0,surplus\n"

    error = only_error(run_import(community, data))

    assert "Row 5 has more fields than the header" in error.message
    assert MeterReading.objects.count() == 0


def test_a_correcting_file_in_chunks_counts_created_updated_and_unchanged(community):
    run_import(community, csv_bytes([INTERVAL_HEADER] + [reading("house_1", minute) for minute in (0, 15, 30)]))
    rows = [reading("house_1", 0), reading("house_1", 15, "2"), reading("house_1", 30), reading("house_2", 0)]

    result = run_import(community, csv_bytes([INTERVAL_HEADER, *rows]))

    assert (result.created, result.updated, result.unchanged) == (1, 1, 2)
    assert stored(community)[("house_1", OCT_1 + dt.timedelta(minutes=15))] == (2000, 0)


def test_the_chunks_are_checked_in_the_callers_language(community, monkeypatch):
    languages, checked = [], engine.check_chunk

    def check_chunk(*args):
        languages.append(translation.get_language())
        return checked(*args)

    monkeypatch.setattr(engine, "check_chunk", check_chunk)

    with override_settings(LANGUAGE_CODE="en"), translation.override("de"):
        run_import(community, csv_bytes([INTERVAL_HEADER, reading("house_1", 0)]))

    assert languages == ["de"]
