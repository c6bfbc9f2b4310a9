"""Cumulative counters (Ei, Eo) to interval energies, continuing across files and meter changes."""

import datetime as dt
from decimal import Decimal

import pytest

from metering.models import MeterChange, MeterReading, RegisterState
from tests.factories import CommunityFactory, HouseFactory

from .import_helpers import REGISTER_HEADER, csv_bytes, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
Q = dt.timedelta(minutes=15)


@pytest.fixture
def house():
    return HouseFactory(community=CommunityFactory(slug="zaehler"), house_id="house_1")


def counters(*values, start=T0, house_id="house_1"):
    """One row per (ei, eo) pair, one interval apart."""
    return [REGISTER_HEADER] + [
        [house_id, (start + index * Q).strftime("%Y-%m-%dT%H:%M:%SZ"), ei, eo] for index, (ei, eo) in enumerate(values)
    ]


def energies(house):
    return [
        (r.interval_start, r.imported_wh, r.exported_wh)
        for r in MeterReading.objects.filter(house=house).order_by("interval_start")
    ]


def test_consecutive_counters_become_interval_energies(house):
    result = run_import(
        house.community, csv_bytes(counters(("100.000", "50.000"), ("100.250", "51.000"), ("100.750", "51.000")))
    )

    assert result.ok, [str(e) for e in result.errors]
    assert result.kind == "register"
    assert energies(house) == [(T0, 250, 1000), (T0 + Q, 500, 0)]
    state = RegisterState.objects.get(house=house)
    assert (state.read_at, state.ei_wh, state.eo_wh) == (T0 + 2 * Q, 100750, 51000)


def test_the_next_file_continues_from_the_stored_counters(house):
    run_import(house.community, csv_bytes(counters(("100", "50"), ("101", "50"))))

    result = run_import(house.community, csv_bytes(counters(("103", "52"), start=T0 + 2 * Q)))

    assert (result.created, result.error_count) == (1, 0)
    assert energies(house)[-1] == (T0 + Q, 2000, 2000)


def test_reimporting_a_counter_file_changes_nothing(house):
    data = csv_bytes(counters(("100", "50"), ("101", "50"), ("102", "51")))
    run_import(house.community, data)

    again = run_import(house.community, data)

    assert (again.created, again.updated, again.unchanged, again.error_count) == (0, 0, 2, 0)
    assert RegisterState.objects.get(house=house).read_at == T0 + 2 * Q


def test_a_counter_that_goes_down_without_a_meter_change_is_an_error(house):
    result = run_import(house.community, csv_bytes(counters(("100", "50"), ("101", "50"), ("3", "50"))))

    assert result.error_count == 1
    error = result.errors[0]
    assert (error.row, error.column, error.value) == (4, "ei_kwh", "3.000")
    assert "record a meter change" in error.message
    assert MeterReading.objects.count() == 0


def test_a_reset_with_a_recorded_meter_change_is_bridged(house):
    MeterChange.objects.create(
        house=house,
        changed_at=T0 + Q + dt.timedelta(minutes=5),
        old_ei_final_kwh=Decimal("101.5"),
        old_eo_final_kwh=Decimal("50"),
        new_ei_start_kwh=Decimal("0"),
        new_eo_start_kwh=Decimal("0"),
    )

    result = run_import(house.community, csv_bytes(counters(("100", "50"), ("101", "50"), ("0.25", "0.1"))))

    assert result.ok, [str(e) for e in result.errors]
    # 101 -> 101.5 on the old meter, then 0 -> 0.25 on the new one.
    assert energies(house) == [(T0, 1000, 0), (T0 + Q, 750, 100)]


def test_a_meter_change_without_final_readings_counts_the_new_meter_only(house):
    MeterChange.objects.create(house=house, changed_at=T0 + 2 * Q, new_ei_start_kwh=Decimal("5"))

    result = run_import(house.community, csv_bytes(counters(("100", "0"), ("101", "0"), ("5.5", "0"))))

    assert result.ok
    assert energies(house)[-1] == (T0 + Q, 500, 0)


def test_a_meter_change_between_files_bridges_from_the_stored_state(house):
    run_import(house.community, csv_bytes(counters(("900", "0"), ("901", "0"))))
    MeterChange.objects.create(house=house, changed_at=T0 + 2 * Q, old_ei_final_kwh=Decimal("901"))

    result = run_import(house.community, csv_bytes(counters(("0.4", "0"), start=T0 + 2 * Q)))

    assert result.ok, [str(e) for e in result.errors]
    assert energies(house)[-1] == (T0 + Q, 400, 0)


def test_a_gap_between_counter_readings_is_an_error(house):
    rows = counters(("100", "50"), ("101", "50"))
    rows.append(["house_1", (T0 + 3 * Q).strftime("%Y-%m-%dT%H:%M:%SZ"), "102", "50"])

    result = run_import(house.community, csv_bytes(rows))

    assert result.error_count == 1
    assert result.errors[0].row == 4
    assert "not one interval after" in result.errors[0].message


def test_an_implausible_counter_step_is_an_error(house):
    result = run_import(house.community, csv_bytes(counters(("100", "0"), ("200", "0"))))

    assert result.error_count == 1
    assert "difference to the previous counter reading" in result.errors[0].message
