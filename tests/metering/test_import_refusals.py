"""What the import engine refuses: every error names row, column, value and what to do; frozen months; inactive houses."""

import datetime as dt
from decimal import Decimal

import pytest

from metering.models import FrozenRange, MeterReading
from tests.factories import CommunityFactory, HouseFactory, add_readings

from .import_helpers import INTERVAL_HEADER, csv_bytes, only_error, run_import, stored

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


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
    assert "October 2026 is closed (Period 2026-10 closed): 1 row refused" in error.message
    assert MeterReading.objects.count() == 0


def test_a_closed_month_is_refused_with_one_summary_not_one_line_per_row(berlin):
    march = dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)  # local midnight of 1 March in Berlin
    FrozenRange.objects.create(
        community=berlin, start=march, end=dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC), reason="Period 2026-03 closed"
    )
    stamps = [march + dt.timedelta(minutes=15 * index) for index in range(2972)]  # 743 hours
    rows = [["house_1", f"{at:%Y-%m-%dT%H:%M:%SZ}", "1", "0"] for at in stamps]

    result = run_import(berlin, csv_bytes([INTERVAL_HEADER, *rows]))

    error = only_error(result)
    assert error.message.startswith(
        "March 2026 is closed (Period 2026-03 closed): 2,972 rows refused (file rows 2 to 2973)"
    )
    assert not MeterReading.objects.exists()


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
