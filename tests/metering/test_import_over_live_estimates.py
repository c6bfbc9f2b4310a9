"""A file's reading is measured: it clears the estimated flag of a live reading it replaces."""

import datetime as dt

import pytest

from metering.models import MeterReading

from .import_helpers import INTERVAL_HEADER, csv_bytes, run_import

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("language")]

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("imported_kwh", "imported_wh"), [("0.25", 250), ("0.5", 500)], ids=["same value", "new value"]
)
def test_a_file_reading_over_a_live_estimate_is_no_longer_estimated(community, imported_kwh, imported_wh):
    # Given a live reading the feed estimated after an outage (250 Wh in, 1,500 Wh out)
    house = community.houses.get(house_id="house_1")
    MeterReading.objects.create(house=house, interval_start=OCT_1, exported_wh=1500, imported_wh=250, estimated=True)

    # When a file brings the measured value for that interval
    result = run_import(
        community, csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "1.5", imported_kwh]])
    )

    # Then the reading holds the file's value and is not estimated any more
    reading = MeterReading.objects.get(house=house, interval_start=OCT_1)
    assert (result.updated, reading.imported_wh, reading.estimated) == (1, imported_wh, False)
