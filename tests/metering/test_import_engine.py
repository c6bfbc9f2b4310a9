"""The import engine on interval files: formats, all or nothing, idempotence, DST (refusals: test_import_refusals)."""

import datetime as dt
from decimal import Decimal

import pytest

from metering.models import MeterReading
from tests.factories import HouseFactory

from .import_helpers import INTERVAL_HEADER, csv_bytes, run_import, stored, xlsx_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


# --- formats ---------------------------------------------------------------------------------


def test_a_comma_separated_utc_file_is_imported_exactly(community):
    data = csv_bytes(
        [
            INTERVAL_HEADER,
            ["house_1", "2026-10-01T00:00:00Z", "1.5", "0.25"],
            ["house_2", "2026-10-01T00:15:00Z", "0", "12.345"],
        ]
    )

    result = run_import(community, data)

    assert (result.rows_read, result.created, result.updated, result.unchanged, result.error_count) == (2, 2, 0, 0, 0)
    assert stored(community) == {
        ("house_1", OCT_1): (1500, 250),
        ("house_2", OCT_1 + dt.timedelta(minutes=15)): (0, 12345),
    }


def test_semicolon_file_with_decimal_comma_aliases_any_order_and_windows_1252(community):
    HouseFactory(community=community, house_id="häuschen")
    data = csv_bytes(
        [
            ["Import_kWh", "EXPORTED_KWH", "Timestamp", "House"],
            ["0,25", "1,5", "2026-10-01 00:00", "häuschen"],
            ["0,5", "2", "2026-10-01 00:15:00", "house_1"],
        ],
        delimiter=";",
        encoding="cp1252",
    )

    result = run_import(community, data)

    assert result.ok, [str(e) for e in result.errors]
    assert stored(community)[("häuschen", OCT_1)] == (1500, 250)


def test_utf8_with_bom_and_trailing_delimiter(community):
    data = csv_bytes(
        [[*INTERVAL_HEADER, ""], ["house_1", "2026-10-01T00:00:00Z", "1,5", "0", ""]], delimiter=";", bom=True
    )

    result = run_import(community, data)

    assert result.ok, [str(e) for e in result.errors]
    assert stored(community)[("house_1", OCT_1)] == (1500, 0)


def test_xlsx_with_typed_numbers_and_datetimes(community):
    data = xlsx_bytes(
        [
            INTERVAL_HEADER,
            ["house_1", dt.datetime(2026, 10, 1, 0, 0), 1.5, 0.123],
            ["house_2", "2026-10-01T00:15:00Z", 2, "0,5"],
        ]
    )

    result = run_import(community, data)

    assert result.file_kind == "xlsx"
    assert result.ok, [str(e) for e in result.errors]
    assert stored(community)[("house_1", OCT_1)] == (1500, 123)
    assert stored(community)[("house_2", OCT_1 + dt.timedelta(minutes=15))] == (2000, 500)


def test_offsets_are_converted_to_utc(berlin):
    data = csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T02:00:00+02:00", "1", "0"]])

    result = run_import(berlin, data)

    assert result.ok
    assert stored(berlin) == {("house_1", OCT_1): (1000, 0)}


@pytest.mark.parametrize(
    ("day", "quarter_hours"),
    [(dt.date(2026, 3, 29), 92), (dt.date(2026, 10, 25), 100)],
    ids=["spring-92", "autumn-100"],
)
def test_dst_days_import_every_quarter_hour_of_the_local_day(berlin, day, quarter_hours):
    """Written as a Berlin export writes them: local time with its offset."""
    zone = berlin.zone
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone).astimezone(dt.UTC)
    rows, instant = [INTERVAL_HEADER], start
    while instant < end:
        rows.append(["house_1", instant.astimezone(zone).isoformat(), "0.1", "0.2"])
        instant += dt.timedelta(minutes=15)

    result = run_import(berlin, csv_bytes(rows))

    assert result.ok, [str(e) for e in result.errors]
    assert result.created == quarter_hours
    assert MeterReading.objects.filter(house__community=berlin).count() == quarter_hours


def test_naive_local_times_outside_the_dst_switch_are_accepted(berlin):
    data = csv_bytes(
        [
            INTERVAL_HEADER,
            ["house_1", "2026-10-25 01:45", "1", "0"],  # before the repeated hour: CEST
            ["house_1", "2026-10-25 03:00", "1", "0"],  # after it: CET
        ]
    )

    result = run_import(berlin, data)

    assert result.ok
    assert set(stored(berlin)) == {
        ("house_1", dt.datetime(2026, 10, 24, 23, 45, tzinfo=dt.UTC)),
        ("house_1", dt.datetime(2026, 10, 25, 2, 0, tzinfo=dt.UTC)),
    }


# --- semantics -------------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(community):
    data = csv_bytes(
        [INTERVAL_HEADER] + [["house_1", f"2026-10-01T00:{m:02d}:00Z", "1.5", "0.25"] for m in (0, 15, 30)]
    )
    run_import(community, data)

    again = run_import(community, data)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_correcting_file_updates_only_the_changed_values(community):
    run_import(
        community,
        csv_bytes([INTERVAL_HEADER] + [["house_1", f"2026-10-01T00:{m:02d}:00Z", "1", "0"] for m in (0, 15, 30)]),
    )

    result = run_import(
        community,
        csv_bytes(
            [
                INTERVAL_HEADER,
                ["house_1", "2026-10-01T00:00:00Z", "1", "0"],
                ["house_1", "2026-10-01T00:15:00Z", "2", "0"],
                ["house_1", "2026-10-01T00:45:00Z", "3", "0"],
            ]
        ),
    )

    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert stored(community)[("house_1", OCT_1 + dt.timedelta(minutes=15))] == (2000, 0)


def test_a_file_with_one_bad_row_writes_nothing(community):
    data = csv_bytes(
        [INTERVAL_HEADER]
        + [["house_1", f"2026-10-01T00:{m:02d}:00Z", "1", "0"] for m in (0, 15, 30)]
        + [["house_9", "2026-10-01T00:00:00Z", "1", "0"]]
    )

    result = run_import(community, data)

    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    assert MeterReading.objects.count() == 0


def test_a_dry_run_counts_but_writes_nothing(community):
    data = csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "1", "0"]])

    result = run_import(community, data, dry_run=True)

    assert (result.created, result.dry_run) == (1, True)
    assert MeterReading.objects.count() == 0


def test_identical_repeated_rows_count_once(community):
    row = ["house_1", "2026-10-01T00:00:00Z", "1", "0"]

    result = run_import(community, csv_bytes([INTERVAL_HEADER, row, row]))

    assert (result.rows_read, result.created, result.error_count) == (2, 1, 0)


def test_errors_beyond_the_listed_few_hundred_are_counted(community):
    rows = [INTERVAL_HEADER] + [["house_9", "2026-10-01T00:00:00Z", "1", "0"]] * 1000

    result = run_import(community, csv_bytes(rows))

    assert result.error_count == 1000
    assert len(result.errors) == 300
    assert [e.row for e in result.errors[:2]] == [2, 3]


def test_exact_wh_for_every_three_decimal_value(community):
    values = ["0.001", "0.1", "0.3", "1.005", "49.999", "12.340", "7"]
    rows = [INTERVAL_HEADER] + [["house_1", f"2026-10-01T{h:02d}:00:00Z", v, "0"] for h, v in enumerate(values)]

    result = run_import(community, csv_bytes(rows))

    assert result.ok
    got = [exported for (_, _), (exported, _) in sorted(stored(community).items())]
    assert got == [int(Decimal(v) * 1000) for v in values]
