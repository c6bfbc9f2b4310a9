import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.local_time import interval_count, month_bounds, parse_period_id, period_id_of

BERLIN = ZoneInfo("Europe/Berlin")
UTC = ZoneInfo("UTC")


def test_utc_month_bounds_are_half_open_at_midnight():
    assert month_bounds("2026-01", UTC) == (
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )


def test_december_ends_at_the_next_new_year():
    assert month_bounds("2026-12", UTC)[1] == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def test_berlin_month_starts_at_local_midnight():
    start, end = month_bounds("2026-01", BERLIN)

    assert start == dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 1, 31, 23, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("period_id", "zone", "quarter_hours"),
    [
        ("2026-01", UTC, 31 * 96),
        ("2026-02", UTC, 28 * 96),
        ("2026-03", BERLIN, 2972),  # spring forward: one day of 92
        ("2026-10", BERLIN, 2980),  # fall back: one day of 100
        ("2026-03", UTC, 31 * 96),
        ("2026-06", BERLIN, 30 * 96),
    ],
)
def test_quarter_hours_per_month(period_id, zone, quarter_hours):
    start, end = month_bounds(period_id, zone)

    assert interval_count(start, end, 15) == quarter_hours


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-01", "", "2026/01", "2026-00"])
def test_period_id_must_be_year_dash_month(bad):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period_id(bad)


def test_period_of_an_instant_is_the_local_month():
    new_years_eve_late = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)

    assert period_id_of(new_years_eve_late, BERLIN) == "2026-01"
    assert period_id_of(new_years_eve_late, UTC) == "2025-12"
