"""The audit trail (issue #10, point 19): who changed what, when, with old and new values."""

import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from core.audit import acting_as, actor_label, command_line_actor
from metering.imports import readings_import
from tests.factories import CommunityFactory, HouseFactory, TariffFactory

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


def test_a_change_in_the_admin_records_the_user_and_the_old_and_new_values(admin_client, admin_user):
    house = HouseFactory(owner_name="Jörg Müller")
    url = reverse("admin:communities_house_change", args=[house.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}

    admin_client.post(url, {**data, "owner_name": "Anna Müller"})

    change = entries_for(house).filter(action=LogEntry.Action.UPDATE).get()
    assert change.changes_dict["owner_name"] == ["Jörg Müller", "Anna Müller"]
    assert change.actor == admin_user


def test_a_change_made_by_a_command_names_the_command_and_the_os_user():
    label = command_line_actor(["manage.py", "close_period", "--community", "x"])

    with acting_as(label):
        tariff = TariffFactory()

    created = entries_for(tariff).get()
    assert created.actor is None
    assert actor_label(created) == label
    assert label.startswith("manage.py close_period (OS user ")


def test_the_task_cluster_is_named_as_background_work():
    assert command_line_actor(["manage.py", "qcluster"]).startswith("background task (OS user ")


def test_an_import_writes_one_summary_entry_with_the_files_checksum_and_counts():
    community = CommunityFactory(time_zone="UTC")
    HouseFactory(community=community, house_id="house_1")
    data = b"house_id,timestamp,energy_exported_kwh,energy_imported_kwh\n" + b"".join(
        f"house_1,2026-10-01T{hour:02d}:00:00Z,1.5,0.25\n".encode() for hour in range(4)
    )

    readings_import(community=community, fileobj=io.BytesIO(data))

    summary = entries_for(community).get(additional_data__summary="Meter data imported")
    assert summary.additional_data["created"] == 4
    assert len(summary.additional_data["sha256"]) == 64


def test_a_dry_run_leaves_no_trail():
    community = CommunityFactory(time_zone="UTC")
    HouseFactory(community=community, house_id="house_1")
    data = b"house_id,timestamp,energy_exported_kwh,energy_imported_kwh\nhouse_1,2026-10-01T00:00:00Z,1,0\n"

    readings_import(community=community, fileobj=io.BytesIO(data), dry_run=True)

    assert not entries_for(community).filter(additional_data__has_key="summary").exists()


def test_the_history_page_of_a_house_shows_its_audit_trail(admin_client):
    house = HouseFactory(owner_name="Jörg Müller")
    house.owner_name = "Anna Müller"
    house.save()

    page = admin_client.get(reverse("admin:communities_house_history", args=[house.pk])).content.decode()

    assert "Anna Müller" in page and "Jörg Müller" in page


def test_the_audit_list_names_commands_as_who(admin_client):
    with acting_as("manage.py load_demo (OS user anna)"):
        HouseFactory()

    page = admin_client.get(reverse("admin:auditlog_logentry_changelist")).content.decode()

    assert "manage.py load_demo (OS user anna)" in page
