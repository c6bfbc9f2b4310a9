"""Upgrading a database from before the metering app: rows, content types, grants and log entries survive.

Each test migrates the test database back to the schema of communities 0003 / invoicing 0004 (the
meter data still in ``communities``), fills it through the historical models, migrates it forward
to the latest migrations and reads it back through ``metering``. The fixture leaves the database
migrated to the latest, so the tests after these see the usual schema.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from metering.models import FrozenRange, ImportJob, MeterChange, MeterReading, RegisterState
from tests.migrations import migrate_to

BEFORE_METERING = [
    ("communities", "0003_meter_data_import"),
    ("invoicing", "0004_statement_document"),
    ("metering", None),
]
MOVED_MODELS = ["frozenrange", "importjob", "meterchange", "meterreading", "registerstate"]
JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def old_apps(transactional_db):
    """The historical models of the schema before the move; the database is migrated back to it."""
    yield migrate_to(BEFORE_METERING).apps
    migrate_to()


@pytest.fixture
def old_records(old_apps):
    """Meter data, a clerk allowed to view readings and a log entry, written as the old schema had them."""
    community = old_apps.get_model("communities", "Community").objects.create(
        name="Sonnenfeld", slug="sonnenfeld", time_zone="Europe/Berlin", legal_name="LEG Sonnenfeld", address="Weg 1"
    )
    house = old_apps.get_model("communities", "House").objects.create(
        community=community,
        house_id="house_1",
        name="Sonnenweg 1",
        owner_name="Jürgen Größ",
        address="Sonnenweg 1",
        active_from=dt.date(2026, 1, 1),
    )
    Reading = old_apps.get_model("communities", "MeterReading")
    reading = Reading.objects.create(house=house, interval_start=JANUARY, exported_wh=1500, imported_wh=250)
    Reading.objects.create(
        house=house, interval_start=JANUARY + dt.timedelta(minutes=15), exported_wh=0, imported_wh=300
    )
    old_apps.get_model("communities", "FrozenRange").objects.create(
        community=community, start=JANUARY, end=JANUARY + dt.timedelta(days=31), reason="Period 2026-01 closed"
    )
    old_apps.get_model("communities", "MeterChange").objects.create(
        house=house,
        changed_at=JANUARY + dt.timedelta(days=40),
        old_ei_final_kwh=Decimal("1200.5"),
        old_eo_final_kwh=Decimal("800"),
        note="ticket 4711",
    )
    old_apps.get_model("communities", "RegisterState").objects.create(
        house=house, read_at=JANUARY, ei_wh=1_200_500, eo_wh=800_000
    )
    clerk = old_apps.get_model("auth", "User").objects.create(username="clerk", is_staff=True)
    old_apps.get_model("communities", "ImportJob").objects.create(
        community=community,
        file="meter-imports/2026/01/readings.csv",
        original_name="readings.csv",
        status="succeeded",
        created_count=2,
        started_by=clerk,
    )
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    reading_type, _ = ContentType.objects.get_or_create(app_label="communities", model="meterreading")
    view, _ = old_apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=reading_type, codename="view_meterreading", defaults={"name": "Can view meter reading"}
    )
    clerk.user_permissions.add(view)
    old_apps.get_model("admin", "LogEntry").objects.create(
        user=clerk,
        content_type=reading_type,
        object_id=str(reading.pk),
        object_repr="house_1 @ 2026-01-01 00:00Z",
        action_flag=CHANGE,
        change_message="Changed exported_wh.",
    )
    return {"reading": reading.pk, "reading_type": reading_type.pk}


def test_upgrade_keeps_every_meter_data_row(old_records):
    migrate_to()

    readings = MeterReading.objects.filter(house__house_id="house_1").order_by("interval_start")
    assert list(readings.values_list("exported_wh", "imported_wh")) == [(1500, 250), (0, 300)]
    assert FrozenRange.objects.get().reason == "Period 2026-01 closed"
    assert MeterChange.objects.get().old_ei_final_kwh == Decimal("1200.5")
    assert RegisterState.objects.get().ei_wh == 1_200_500
    job = ImportJob.objects.get()
    assert (job.original_name, job.status, job.started_by.username) == ("readings.csv", "succeeded", "clerk")


def test_upgrade_moves_the_content_types_to_metering(old_records):
    migrate_to()

    assert not ContentType.objects.filter(app_label="communities", model__in=MOVED_MODELS).exists()
    metering_types = ContentType.objects.filter(app_label="metering", model__in=MOVED_MODELS)
    assert sorted(metering_types.values_list("model", flat=True)) == MOVED_MODELS  # later models have their own
    assert ContentType.objects.get_for_model(MeterReading).pk == old_records["reading_type"]


def test_a_permission_granted_before_the_upgrade_still_holds(old_records):
    migrate_to()

    clerk = get_user_model().objects.get(username="clerk")
    assert clerk.has_perm("metering.view_meterreading")


def test_an_admin_log_entry_still_points_to_its_reading(old_records):
    migrate_to()

    entry = LogEntry.objects.get()
    assert entry.content_type == ContentType.objects.get_for_model(MeterReading)
    assert entry.get_edited_object() == MeterReading.objects.get(pk=old_records["reading"])


def test_upgrade_merges_content_types_created_before_the_move_ran(old_apps, old_records):
    # Given metering's own rows already exist (e.g. post_migrate after ``migrate metering 0001``)
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    early = ContentType.objects.create(app_label="metering", model="meterreading")
    old_apps.get_model("auth", "Permission").objects.create(
        content_type=early, codename="view_meterreading", name="Can view meter reading"
    )

    migrate_to()

    assert ContentType.objects.get_for_model(MeterReading).pk == early.pk
    assert not ContentType.objects.filter(pk=old_records["reading_type"]).exists()
    assert get_user_model().objects.get(username="clerk").has_perm("metering.view_meterreading")
    assert LogEntry.objects.get().content_type_id == early.pk


def test_downgrade_moves_the_content_types_back(old_apps):
    migrate_to()
    reading_type = ContentType.objects.get_for_model(MeterReading).pk

    migrate_to(BEFORE_METERING)

    moved_back = ContentType.objects.filter(app_label="communities", model__in=MOVED_MODELS)
    assert moved_back.count() == len(MOVED_MODELS)
    assert moved_back.get(model="meterreading").pk == reading_type
    assert not ContentType.objects.filter(app_label="metering", model__in=MOVED_MODELS).exists()
