"""Background imports: an ImportJob per large file, run by django-q2 (``metering.tasks``)."""

import datetime as dt
import logging
import os

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from communities.models import Community
from metering.models import ImportJob

from .engine import readings_import
from .source import sheet_rows

logger = logging.getLogger(__name__)

# Above this many data rows an admin import runs as a background job: ~1 s of work per 50,000
# rows keeps a request well inside any proxy timeout, and the job list shows progress.
BACKGROUND_THRESHOLD_ROWS = 50_000
# Progress is written at most this often (rows), so the job row is not updated on every chunk.
PROGRESS_EVERY_ROWS = 100_000
# Where the import page keeps an upload between preview and confirm (django-import-export's MediaStorage).
PREVIEW_FOLDER = "django-import-export"


def count_data_rows(fileobj) -> int:
    """Data rows of a CSV (lines after the header) or XLSX (sheet rows after the header), cheaply."""
    fileobj.seek(0)
    head = fileobj.read(4)
    fileobj.seek(0)
    if head.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(fileobj, read_only=True)
            rows = sheet_rows(workbook.worksheets[0])  # not max_row: a stale <dimension> would hide rows
            workbook.close()
        except Exception:  # noqa: BLE001 - an unreadable workbook only loses the progress estimate
            rows = 0
        fileobj.seek(0)
        return max(rows - 1, 0)
    lines, last = 0, b""
    while block := fileobj.read(1 << 20):
        lines += block.count(b"\n")
        last = block
    fileobj.seek(0)
    if last and not last.endswith(b"\n"):
        lines += 1
    return max(lines - 1, 0)


def import_job_create(
    *, community: Community, fileobj, original_name: str, started_by=None, dry_run=False
) -> ImportJob:
    """Store the upload in shared storage (MEDIA_ROOT) and enqueue its import after commit."""
    job = ImportJob(
        community=community,
        original_name=os.path.basename(original_name)[:255],
        started_by=started_by,
        language=translation.get_language() or "",
        dry_run=dry_run,
        rows_total=count_data_rows(fileobj),
    )
    fileobj.seek(0)
    job.file.save(os.path.basename(original_name) or "readings.csv", File(fileobj), save=False)
    job.full_clean(exclude=["file"])
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    async_task("metering.tasks.import_job_run", job_id, task_name=f"meter-import-{job_id}", group="meter-imports")


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run one job. Claims it first, so a re-delivered task (a retry, a second worker) does nothing."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("community").get(pk=job_id)
    with translation.override(job.language or None):
        return _run_claimed(job)


def _run_claimed(job: ImportJob) -> ImportJob:
    job_id = job.pk
    last_reported = 0

    def progress(rows_done: int) -> None:
        nonlocal last_reported
        if rows_done - last_reported >= PROGRESS_EVERY_ROWS or rows_done >= job.rows_total:
            ImportJob.objects.filter(pk=job_id).update(rows_done=rows_done)
            last_reported = rows_done

    try:
        with job.file.open("rb") as handle:
            result = readings_import(community=job.community, fileobj=handle, dry_run=job.dry_run, progress=progress)
    except Exception as error:
        logger.exception("Meter import job %s failed", job_id)
        # The file stays: the failure is unexpected and may need it to be understood.
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            finished_at=timezone.now(),
            error_count=1,
            errors=[
                {
                    "row": 0,
                    "column": "",
                    "value": "",
                    "message": gettext(
                        "The import stopped unexpectedly: %(error)r. Nothing was written. Try again; if it "
                        "happens again, report it with this file."
                    )
                    % {"error": error},
                }
            ],
        )
        raise
    job.rows_done = result.rows_read
    job.rows_total = max(job.rows_total, result.rows_read)
    job.created_count, job.updated_count, job.unchanged_count = result.created, result.updated, result.unchanged
    job.error_count = result.error_count
    job.errors = [error.as_dict() for error in result.errors]
    job.status = ImportJob.Status.SUCCEEDED if result.ok else ImportJob.Status.FAILED
    job.finished_at = timezone.now()
    job.save()
    if settings.LEG_IMPORT_KEEP_DAYS == 0:
        import_job_file_delete(job=job)
    return job


def import_job_file_delete(*, job: ImportJob) -> None:
    """Delete a finished job's upload (meter data of members is kept no longer than it is needed);
    the job keeps its name, counts and errors."""
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete uploads kept past LEG_IMPORT_KEEP_DAYS: files of finished jobs, and preview uploads of
    the import page that were never confirmed (those wait at least a day: someone may be deciding).
    Returns how many files were deleted."""
    now = now or timezone.now()
    keep = dt.timedelta(days=settings.LEG_IMPORT_KEEP_DAYS)
    finished = ImportJob.objects.filter(finished_at__lt=now - keep).exclude(file="")
    deleted = 0
    for job in finished:
        import_job_file_delete(job=job)
        deleted += 1
    cutoff = now - max(keep, dt.timedelta(days=1))
    try:
        _, names = default_storage.listdir(PREVIEW_FOLDER)
    except FileNotFoundError:
        names = []
    for name in names:
        path = f"{PREVIEW_FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
