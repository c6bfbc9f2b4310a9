"""A reading saved any other way than the import engine (admin form, code, a generic resource) is
checked by the same rules: grid, plausibility, active days, not in the future."""

import datetime as dt

import pytest
import tablib
import time_machine
from django.core.exceptions import ValidationError
from import_export.resources import modelresource_factory

from metering.models import MeterReading
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db

OCT_1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.fixture
def house():
    return HouseFactory(house_id="house_1", active_until=dt.date(2026, 10, 15))


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"interval_start": OCT_1 + dt.timedelta(minutes=7)}, "interval_start", "aligned to 15 minutes"),
        ({"exported_wh": 9_999_999}, "exported_wh", "between 0 and 50000 Wh"),
        ({"imported_wh": -1}, "imported_wh", "between 0 and 50000 Wh"),
        ({"interval_start": dt.datetime(2026, 10, 20, tzinfo=dt.UTC)}, "interval_start", "does not belong to"),
        ({"interval_start": dt.datetime(2026, 11, 5, tzinfo=dt.UTC)}, "interval_start", "lies in the future"),
    ],
)
@time_machine.travel(dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC), tick=False)
def test_save_refuses_what_the_import_refuses(house, changes, field, says):
    reading = MeterReading(house=house, interval_start=OCT_1, exported_wh=1, imported_wh=0)
    for name, value in changes.items():
        setattr(reading, name, value)

    with pytest.raises(ValidationError) as refused:
        reading.save()

    assert says in " ".join(refused.value.message_dict[field])
    assert not MeterReading.objects.exists()


def test_a_generic_resource_cannot_write_readings_off_the_rules(house):
    resource = modelresource_factory(MeterReading)()
    dataset = tablib.Dataset(
        [None, house.pk, "2026-10-01 00:07:00", 9_999_999, 0],
        headers=["id", "house", "interval_start", "exported_wh", "imported_wh"],
    )

    result = resource.import_data(dataset)

    assert result.has_errors() or result.has_validation_errors()
    assert not MeterReading.objects.exists()
