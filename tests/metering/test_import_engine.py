"""The import engine on interval files: formats, every row error, all or nothing, idempotence, DST."""

import datetime as dt
from decimal import Decimal

import pytest

from metering.models import FrozenRange, MeterReading
from tests.factories import CommunityFactory, HouseFactory, add_readings

from .import_helpers import INTERVAL_HEADER, csv_bytes, language, run_import, xlsx_bytes  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld", time_zone="UTC")
    HouseFactory(community=community, house_id="house_1")
    HouseFactory(community=community, house_id="house_2")
    return community


@pytest.fixture
def berlin():
    community = CommunityFactory(slug="berlin", time_zone="Europe/Berlin")
    HouseFactory(community=community, house_id="house_1")
    return community


def stored(community):
    return {
        (r.house.house_id, r.interval_start): (r.exported_wh, r.imported_wh)
        for r in MeterReading.objects.filter(house__community=community).select_related("house")
    }


def only_error(result):
    assert result.error_count == 1, [str(e) for e in result.errors]
    return result.errors[0]


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


# --- every error names row, column, value and what to do ------------------------------------


@pytest.mark.parametrize(
    ("row", "column", "value", "says"),
    [
        (["house_9", "2026-10-01T00:00:00Z", "1", "0"], "house_id", "house_9", "is not a house of sonnenfeld"),
        (["", "2026-10-01T00:00:00Z", "1", "0"], "house_id", "", "Fill in the house id"),
        (["house_1", "2026-10-01T00:00:00Z", "1 kWh", "0"], "energy_exported_kwh", "1 kWh", "is not a number"),
        (["house_1", "2026-10-01T00:00:00Z", "1e3", "0"], "energy_exported_kwh", "1e3", "is not a number"),
        (["house_1", "2026-10-01T00:00:00Z", "", "0"], "energy_exported_kwh", "", "is empty"),
        (["house_1", "2026-10-01T00:00:00Z", "1", "-0.5"], "energy_imported_kwh", "-0.5", "is negative"),
        (
            ["house_1", "2026-10-01T00:00:00Z", "0.1234", "0"],
            "energy_exported_kwh",
            "0.1234",
            "more than three decimals",
        ),
        (["house_1", "2026-10-01T00:00:00Z", "50.001", "0"], "energy_exported_kwh", "50.001", "more than 50 kWh"),
        (["house_1", "2026-10-01T00:07:00Z", "1", "0"], "timestamp", "2026-10-01T00:07:00Z", "15-minute interval"),
        (["house_1", "01.10.2026 00:00", "1", "0"], "timestamp", "01.10.2026 00:00", "ISO 8601"),
    ],
)
def test_row_errors(community, row, column, value, says):
    result = run_import(community, csv_bytes([INTERVAL_HEADER, row]))

    error = only_error(result)
    assert (error.row, error.column, error.value) == (2, column, value)
    assert says in error.message
    assert MeterReading.objects.count() == 0


def test_a_comma_in_a_comma_separated_file_is_refused(community):
    error = only_error(
        run_import(community, b'house_id,timestamp,exported_kwh,imported_kwh\nhouse_1,2026-10-01T00:00:00Z,"1,5",0\n')
    )

    assert (error.column, error.value) == ("exported_kwh", "1,5")
    assert "decimal point" in error.message


@pytest.mark.parametrize("value", ["1.234", "12.500", "-1.234"])
def test_thousands_lookalikes_in_semicolon_files_are_ambiguous(community, value):
    data = csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", value, "0"]], delimiter=";")

    error = only_error(run_import(community, data))

    assert "ambiguous" in error.message
    assert error.value == value


@pytest.mark.parametrize(("value", "wh"), [("1,234", 1234), ("0.250", 250), ("1.5", 1500), ("1234", 1234000 // 1000)])
def test_unambiguous_numbers_in_semicolon_files(community, value, wh):
    community.max_kwh_per_quarter_hour = Decimal("5000")
    community.save()
    result = run_import(
        community, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", value, "0"]], delimiter=";")
    )

    assert result.ok, [str(e) for e in result.errors]
    expected = {"1,234": 1234, "0.250": 250, "1.5": 1500, "1234": 1234000}[value]
    assert stored(community)[("house_1", OCT_1)][0] == expected


def test_the_same_interval_twice_with_different_values(community):
    result = run_import(
        community,
        csv_bytes(
            [
                INTERVAL_HEADER,
                ["house_1", "2026-10-01T00:00:00Z", "1", "0"],
                ["house_1", "2026-10-01T00:00:00Z", "2", "0"],
            ]
        ),
    )

    error = only_error(result)
    assert (error.row, error.column) == (3, "timestamp")
    assert "another row for this interval (row 2)" in error.message


def test_missing_column_is_named(community):
    error = only_error(
        run_import(
            community, csv_bytes([["house_id", "timestamp", "exported_kwh"], ["house_1", "2026-10-01T00:00:00Z", "1"]])
        )
    )

    assert error.row == 1
    assert "energy_imported_kwh missing" in error.message


@pytest.mark.parametrize("data", [b"", b"house_id,timestamp,exported_kwh,imported_kwh\n", b"\n\n"])
def test_an_empty_file_is_an_error(community, data):
    error = only_error(run_import(community, data))

    assert "empty" in error.message or "no data rows" in error.message or "no header" in error.message


def test_a_row_with_too_many_fields(community):
    error = only_error(
        run_import(community, b"house_id,timestamp,exported_kwh,imported_kwh\nhouse_1,2026-10-01T00:00:00Z,1,0,7\n")
    )

    assert "Row 2 has more fields than the header" in error.message


def test_skipped_spring_hour_and_repeated_autumn_hour(berlin):
    result = run_import(
        berlin,
        csv_bytes(
            [
                INTERVAL_HEADER,
                ["house_1", "2026-03-29 02:15", "1", "0"],
                ["house_1", "2026-10-25 02:15", "1", "0"],
                ["house_1", "2026-10-25T02:15:00+01:00", "1", "0"],
            ]
        ),
    )

    assert result.error_count == 2
    spring, autumn = result.errors
    assert (spring.row, autumn.row) == (2, 3)
    assert "does not exist in Europe/Berlin" in spring.message
    assert "occurs twice" in autumn.message and "+02:00" in autumn.message


def test_readings_inside_a_closed_period_are_refused_and_nothing_is_written(community):
    FrozenRange.objects.create(
        community=community, start=OCT_1, end=OCT_1 + dt.timedelta(days=31), reason="Period 2026-10 closed"
    )

    result = run_import(
        community,
        csv_bytes(
            [
                INTERVAL_HEADER,
                ["house_1", "2026-09-30T23:45:00Z", "1", "0"],
                ["house_1", "2026-10-01T00:00:00Z", "1", "0"],
            ]
        ),
    )

    error = only_error(result)
    assert (error.row, error.column) == (3, "timestamp")
    assert "closed settlement period (Period 2026-10 closed)" in error.message
    assert MeterReading.objects.count() == 0


def test_existing_readings_of_a_closed_period_stay_untouched(community):
    house = community.houses.get(house_id="house_1")
    add_readings(house, OCT_1, [("1", "0")])
    FrozenRange.objects.create(community=community, start=OCT_1, end=OCT_1 + dt.timedelta(days=31), reason="closed")

    result = run_import(community, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "1", "0"]]))

    assert only_error(result).row == 2


def test_the_plausibility_limit_scales_with_the_interval_length():
    hourly = CommunityFactory(interval_minutes=60)
    HouseFactory(community=hourly, house_id="house_1")

    ok = run_import(hourly, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "200", "0"]]))
    too_much = run_import(hourly, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T01:00:00Z", "200.001", "0"]]))

    assert ok.ok
    assert "more than 200 kWh" in only_error(too_much).message


def test_houses_of_other_communities_are_unknown(community):
    HouseFactory(house_id="elsewhere")

    assert (
        "is not a house"
        in only_error(
            run_import(community, csv_bytes([INTERVAL_HEADER, ["elsewhere", "2026-10-01T00:00:00Z", "1", "0"]]))
        ).message
    )


# --- house activity ------------------------------------------------------------------------


def test_readings_outside_a_houses_active_days_are_refused(berlin):
    HouseFactory(community=berlin, house_id="house_8", active_from=dt.date(2026, 10, 10))
    data = csv_bytes(
        [
            INTERVAL_HEADER,
            ["house_8", "2026-10-09T21:45:00Z", "1", "0"],  # 23:45 on 9 October in Berlin
            ["house_8", "2026-10-09T22:00:00Z", "2", "0"],  # midnight starting 10 October in Berlin
        ]
    )

    result = run_import(berlin, data)

    error = only_error(result)
    assert (error.row, error.column) == (2, "timestamp")
    assert "is outside the days house_8 belongs to berlin (active from 2026-10-10" in error.message
    assert not MeterReading.objects.exists()


def test_readings_after_a_house_left_are_refused(community):
    HouseFactory(community=community, house_id="house_9", active_until=dt.date(2026, 9, 30))

    result = run_import(community, csv_bytes([INTERVAL_HEADER, ["house_9", "2026-10-01T00:00:00Z", "1", "0"]]))

    assert "active from 2020-01-01 until 2026-09-30" in only_error(result).message
