"""Reads about meter data that other apps' pages show."""

from django.db.models import OuterRef, Subquery

from communities.models import Community

from .models import ImportJob


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
