"""Reads about meter data that other apps' pages show."""

import datetime as dt

from django.db.models import OuterRef, Subquery

from communities.models import Community

from .models import ImportJob, ReadingsVersion


def last_import_jobs(*, communities) -> dict[int, ImportJob]:
    """``{community pk: its newest import job}`` for the given communities, in one query whatever
    their number; communities without any import are left out."""
    newest = ImportJob.objects.filter(community=OuterRef("pk")).order_by("-created_at", "-pk").values("pk")[:1]
    newest_pks = (
        Community.objects.filter(pk__in=[community.pk for community in communities])
        .annotate(job_pk=Subquery(newest))
        .values("job_pk")
    )
    jobs = ImportJob.objects.filter(pk__in=newest_pks)
    return {job.community_id: job for job in jobs}


def readings_version(*, community_id: int, start: dt.datetime, end: dt.datetime) -> str:
    """A stamp of the community's readings in ``[start, end)``: it differs after any write to them.

    Built from ``ReadingsVersion`` of the UTC months the range touches, which the database's
    triggers bump in every writing transaction; one small query.
    """
    first_month = start.astimezone(dt.UTC).date().replace(day=1)
    last_month = (end - dt.timedelta(microseconds=1)).astimezone(dt.UTC).date().replace(day=1)
    versions = ReadingsVersion.objects.filter(
        community_id=community_id, month__gte=first_month, month__lte=last_month
    ).order_by("month")
    return ",".join(f"{month:%Y-%m}:{version}" for month, version in versions.values_list("month", "version"))
