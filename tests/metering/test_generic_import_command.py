"""``manage.py import`` (django-import-export's generic command) is closed to meter data."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from metering.models import MeterReading
from tests.factories import HouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bad_readings(tmp_path):
    house = HouseFactory(house_id="house_1")
    path = tmp_path / "readings.csv"
    path.write_text(
        "id,house,interval_start,exported_wh,imported_wh\n"
        f",{house.pk},2026-10-01 00:07:00,9999999,0\n"  # off the grid, implausible
    )
    return path


@pytest.mark.parametrize(
    "resource", ["metering.MeterReading", "metering.imports.admin_support.MeterReadingImportResource"]
)
def test_the_generic_import_refuses_readings_and_points_to_import_readings(bad_readings, resource):
    with pytest.raises(
        CommandError, match=re.escape("imported with `manage.py import_readings FILE --community SLUG`")
    ):
        call_command("import", resource, str(bad_readings), "--no-input")

    assert not MeterReading.objects.exists()


def test_the_generic_import_refuses_the_other_meter_data_too(tmp_path):
    path = tmp_path / "ranges.csv"
    path.write_text("id,community,start,end,reason\n")

    with pytest.raises(CommandError, match="Frozen ranges are written by the application only"):
        call_command("import", "metering.FrozenRange", str(path), "--no-input")


def test_the_generic_import_still_imports_other_models(tmp_path):
    path = tmp_path / "groups.csv"
    path.write_text("id,name\n,Billing clerks\n")

    call_command("import", "auth.Group", str(path), "--no-input")

    assert Group.objects.filter(name="Billing clerks").exists()
