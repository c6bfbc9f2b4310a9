"""django-q2 tasks of the metering app. Thin: ids in, a service call, safe to run twice."""

from metering.imports.jobs import import_job_run as _import_job_run


def import_job_run(job_id: int) -> None:
    _import_job_run(job_id=job_id)
