"""Background imports end to end: upload stored in MEDIA_ROOT, job enqueued on commit, q2 (sync) runs it."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from metering.imports.jobs import (
    PREVIEW_FOLDER,
    count_data_rows,
    import_files_purge,
    import_job_create,
    import_job_run,
)
from metering.models import ImportJob, MeterReading
from tests.factories import CommunityFactory, HouseFactory

from .import_helpers import INTERVAL_HEADER, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    HouseFactory(community=community, house_id="house_1")
    return community


def rows(count, value="1"):
    return [INTERVAL_HEADER] + [
        ["house_1", f"2026-10-{1 + i // 96:02d}T{(i % 96) // 4:02d}:{(i % 4) * 15:02d}:00Z", value, "0"]
        for i in range(count)
    ]


def test_a_job_runs_through_q2_after_commit(community, django_capture_on_commit_callbacks, admin_user):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            community=community,
            fileobj=io.BytesIO(csv_bytes(rows(500))),
            original_name="oct.csv",
            started_by=admin_user,
        )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED
    assert (job.rows_total, job.rows_done, job.created_count, job.error_count) == (500, 500, 500, 0)
    assert job.started_by == admin_user and job.duration is not None
    assert MeterReading.objects.count() == 500


def test_a_finished_jobs_upload_is_deleted_at_once_by_default(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(community=community, fileobj=io.BytesIO(csv_bytes(rows(3))), original_name="a.csv")
    stored_as = job.file.name
    assert stored_as

    job.refresh_from_db()
    assert not job.file and not default_storage.exists(stored_as)
    assert (job.original_name, job.created_count) == ("a.csv", 3)


@pytest.fixture
def own_media_root(settings, tmp_path):
    """Purging looks at the whole media folder: give the test one of its own."""
    settings.MEDIA_ROOT = tmp_path


@override_settings(LEG_IMPORT_KEEP_DAYS=7)
@pytest.mark.usefixtures("own_media_root")
def test_uploads_are_kept_for_the_retention_days_then_purged(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(community=community, fileobj=io.BytesIO(csv_bytes(rows(3))), original_name="a.csv")
    job.refresh_from_db()
    assert default_storage.exists(job.file.name)

    assert import_files_purge(now=job.finished_at + dt.timedelta(days=6)) == 0
    assert import_files_purge(now=job.finished_at + dt.timedelta(days=8)) == 1

    job.refresh_from_db()
    assert not job.file


@pytest.mark.usefixtures("own_media_root")
def test_a_preview_upload_never_confirmed_is_purged_after_a_day():
    name = default_storage.save(f"{PREVIEW_FOLDER}/abandoned.csv", io.BytesIO(b"house_id\n"))

    assert import_files_purge(now=timezone.now() + dt.timedelta(hours=2)) == 0
    assert import_files_purge(now=timezone.now() + dt.timedelta(days=2)) == 1
    assert not default_storage.exists(name)


def test_a_failing_job_keeps_its_error_report_and_writes_nothing(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(
            community=community, fileobj=io.BytesIO(csv_bytes(rows(10, value="x"))), original_name="bad.csv"
        )

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.error_count == 10
    assert job.errors[0]["row"] == 2 and job.errors[0]["column"] == "energy_exported_kwh"
    assert MeterReading.objects.count() == 0


def test_running_a_job_twice_does_nothing_the_second_time(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(community=community, fileobj=io.BytesIO(csv_bytes(rows(3))), original_name="a.csv")

    assert import_job_run(job_id=job.pk) is None


def test_nothing_is_enqueued_before_commit(community, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = import_job_create(community=community, fileobj=io.BytesIO(csv_bytes(rows(3))), original_name="a.csv")

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING


def test_count_data_rows():
    assert count_data_rows(io.BytesIO(b"h\n1\n2")) == 2
    assert count_data_rows(io.BytesIO(b"h\n1\n2\n")) == 2


@pytest.mark.usefixtures("own_media_root")
def test_the_purge_command_reports_what_it_deleted(capsys):
    call_command("purge_import_files")

    assert "Deleted 0 uploaded files (kept: 0 days)." in capsys.readouterr().out
