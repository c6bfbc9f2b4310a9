"""The readings admin's import page (choose file, preview, confirm), export, and the job and meter-change admins."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from metering.imports import jobs
from metering.imports.jobs import PREVIEW_FOLDER
from metering.models import ImportJob, MeterChange, MeterReading
from tests.factories import CommunityFactory, HouseFactory, add_readings

from .import_helpers import INTERVAL_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:metering_meterreading_import"
PROCESS_URL = "admin:metering_meterreading_process_import"
GOOD = csv_bytes(
    [
        INTERVAL_HEADER,
        ["house_1", "2026-10-01T00:00:00Z", "1.5", "0.25"],
        ["house_1", "2026-10-01T00:15:00Z", "1", "0"],
    ],
    delimiter=";",
)


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld", name="Sonnenfeld")
    HouseFactory(community=community, house_id="house_1")
    return community


def upload(client, community, data, name="readings.csv"):
    return client.post(
        reverse(IMPORT_URL),
        {"community": community.pk, "format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, data)},
    )


def test_preview_then_confirm_imports_a_small_file(admin_client, community, language):
    assert admin_client.get(reverse(IMPORT_URL)).status_code == 200

    preview = upload(admin_client, community, GOOD)

    assert preview.status_code == 200
    assert MeterReading.objects.count() == 0  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    assert confirm is not None
    assert preview.context["result"].meter_import.created == 2
    assert b"meter-import-preview" in preview.content

    done = admin_client.post(reverse(PROCESS_URL), {**confirm.initial, "confirm": "1"}, follow=True)

    assert done.status_code == 200
    assert MeterReading.objects.count() == 2
    created = {"en": "2 readings created", "de": "2 Zählerstände angelegt"}[language]
    assert created in " ".join(str(m) for m in done.context["messages"])


@pytest.mark.usefixtures("language")
def test_a_broken_file_shows_its_row_errors_and_no_confirm_button(admin_client, community):
    data = csv_bytes([INTERVAL_HEADER, ["house_9", "2026-10-01T00:00:00Z", "1", "0"]])

    response = upload(admin_client, community, data)

    assert response.status_code == 200
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert b"is not a house of sonnenfeld" in response.content
    assert MeterReading.objects.count() == 0


@pytest.mark.usefixtures("language")
def test_row_errors_are_listed_inline_with_row_column_value_and_reason(admin_client, community):
    data = csv_bytes(
        [
            INTERVAL_HEADER,
            ["house_1", "2026-10-01T00:00:00Z", "1", "0"],
            ["house_9", "2026-10-01T00:15:00Z", "1", "0"],
            ["house_1", "2026-10-01T00:30:00Z", "-2", "0"],
        ]
    )

    page = upload(admin_client, community, data).content.decode()

    table = page.split('id="meter-import-errors"')[1].split("</table>")[0]
    rows = [row.split("</tr>")[0] for row in table.split('<tr class="row-error">')[1:]]
    assert len(rows) == 2
    assert "<td>3</td>" in rows[0] and "<code>house_9</code>" in rows[0] and "is not a house of sonnenfeld" in rows[0]
    assert "<td>4</td>" in rows[1] and "<code>-2</code>" in rows[1]
    assert "validation-error-container" not in page  # nothing hidden behind a hover


def test_a_missing_column_is_shown_as_a_file_error(admin_client, community):
    response = upload(admin_client, community, b"house_id;timestamp\nhouse_1;2026-10-01T00:00:00Z\n")

    assert b"energy_exported_kwh, energy_imported_kwh missing" in response.content


def test_a_large_file_becomes_a_background_job(
    admin_client, community, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(jobs, "BACKGROUND_THRESHOLD_ROWS", 1)
    from metering.imports import admin_support

    monkeypatch.setattr(admin_support, "BACKGROUND_THRESHOLD_ROWS", 1)
    preview = upload(admin_client, community, GOOD)
    assert preview.context["result"].background_rows == 2
    confirm = preview.context["confirm_form"]

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(reverse(PROCESS_URL), {**confirm.initial, "confirm": "1"}, follow=True)

    job = ImportJob.objects.get()
    assert (job.status, job.created_count, job.original_name) == (ImportJob.Status.SUCCEEDED, 2, "readings.csv")
    assert "import job" in " ".join(str(m) for m in done.context["messages"])
    assert MeterReading.objects.count() == 2
    assert admin_client.get(reverse("admin:metering_importjob_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:metering_importjob_change", args=[job.pk])).status_code == 200


def test_export_csv_respects_the_house_filter(admin_client, community):
    house = community.houses.get()
    other = HouseFactory(community=community, house_id="house_2")
    start = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    add_readings(house, start, [("1.5", "0.25")])
    add_readings(other, start, [("9", "9")])

    response = admin_client.post(
        reverse("admin:metering_meterreading_export") + f"?house__id__exact={house.pk}",
        {
            "format": "0",
            "resource": "0",
            "meterreadingexportresource_house_id": True,
            "meterreadingexportresource_timestamp": True,
            "meterreadingexportresource_energy_exported_kwh": True,
            "meterreadingexportresource_energy_imported_kwh": True,
        },
    )

    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "house_id,timestamp,energy_exported_kwh,energy_imported_kwh" in body
    assert "house_1,2026-10-01T00:00:00Z,1.500,0.250" in body
    assert "house_2" not in body


def test_meter_change_admin_pages(admin_client, community):
    house = community.houses.get()
    change = MeterChange.objects.create(house=house, changed_at=dt.datetime(2026, 10, 5, tzinfo=dt.UTC))

    for url in (
        reverse("admin:metering_meterchange_changelist"),
        reverse("admin:metering_meterchange_add"),
        reverse("admin:metering_meterchange_change", args=[change.pk]),
    ):
        assert admin_client.get(url).status_code == 200


def preview_uploads() -> set[str]:
    return set(default_storage.listdir(PREVIEW_FOLDER)[1]) if default_storage.exists(PREVIEW_FOLDER) else set()


@override_settings(LEG_IMPORT_MAX_BYTES=50)
def test_an_upload_over_the_size_limit_is_refused_by_the_form_before_it_is_stored(admin_client, community):
    before = preview_uploads()

    response = upload(admin_client, community, GOOD)

    assert response.status_code == 200
    assert "at most 50 bytes are accepted (LEG_IMPORT_MAX_BYTES)" in response.context["form"].errors["import_file"][0]
    assert preview_uploads() == before


@override_settings(LEG_IMPORT_MAX_ROWS=1)
def test_a_file_over_the_row_limit_gets_no_confirm_button(admin_client, community):
    response = upload(admin_client, community, GOOD)

    assert b"at most 1 are accepted (LEG_IMPORT_MAX_ROWS)" in response.content
    assert response.context.get("confirm_form") is None
