import datetime as dt

import pytest
from django.db.models import F

from metering.models import FrozenMeterDataError, FrozenRange, MeterReading
from tests.factories import HouseFactory, add_readings, reading

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def house():
    house = HouseFactory(house_id="house_1")
    add_readings(house, FEBRUARY - dt.timedelta(minutes=15), [("1", "0"), ("2", "0")])
    FrozenRange.objects.create(community=house.community, start=JANUARY, end=FEBRUARY, reason="Period 2026-01 closed")
    return house


def test_a_frozen_reading_cannot_be_changed(house):
    frozen = MeterReading.objects.get(interval_start__lt=FEBRUARY)
    frozen.exported_wh = 5

    with pytest.raises(
        FrozenMeterDataError, match="house_1 at 2026-01-31 23:45 UTC cannot be saved: Period 2026-01 closed"
    ):
        frozen.save()


def test_a_frozen_reading_cannot_be_deleted(house):
    with pytest.raises(FrozenMeterDataError, match="cannot be deleted"):
        MeterReading.objects.get(interval_start__lt=FEBRUARY).delete()


def test_no_reading_can_be_created_in_a_frozen_range(house):
    with pytest.raises(FrozenMeterDataError, match="cannot be saved"):
        MeterReading.objects.create(house=house, interval_start=JANUARY, exported_wh=1, imported_wh=0)
    with pytest.raises(FrozenMeterDataError, match="cannot be created"):
        MeterReading.objects.bulk_create([reading(house, JANUARY + dt.timedelta(hours=1), exported_kwh="1")])


def test_bulk_update_and_delete_refuse_frozen_readings(house):
    with pytest.raises(FrozenMeterDataError):
        MeterReading.objects.update(exported_wh=F("exported_wh") + 1)
    with pytest.raises(FrozenMeterDataError):
        MeterReading.objects.all().delete()
    assert MeterReading.objects.count() == 2


def test_a_reading_cannot_be_moved_out_of_a_frozen_range(house):
    frozen = MeterReading.objects.get(interval_start__lt=FEBRUARY)
    frozen.interval_start = FEBRUARY + dt.timedelta(hours=1)

    with pytest.raises(FrozenMeterDataError, match="cannot be moved"):
        frozen.save()


def test_readings_after_the_frozen_range_stay_editable(house):
    open_reading = MeterReading.objects.get(interval_start=FEBRUARY)
    open_reading.exported_wh = 3000
    open_reading.save()
    MeterReading.objects.filter(interval_start__gte=FEBRUARY).delete()

    assert MeterReading.objects.count() == 1


def test_other_communities_are_not_frozen(house):
    other = HouseFactory()

    MeterReading.objects.bulk_create([reading(other, JANUARY, exported_kwh="1")])

    assert other.readings.count() == 1
