"""Reads for the live feed's admin pages: estimated intervals this month, open events, silent meters."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from communities.models import Community
from core.local_time import month_bounds, period_id_of

# A meter that sends every 10 s (or every 15 min) and has said nothing for this long is down.
SILENT_AFTER = dt.timedelta(hours=1)


def month_starts(*, now: dt.datetime) -> dict[int, dt.datetime]:
    """Each community's current month start (UTC), in its own zone."""
    starts = {}
    for community in Community.objects.only("pk", "time_zone"):
        starts[community.pk] = month_bounds(period_id_of(now, community.zone), community.zone)[0]
    return starts


def with_live_counts(queryset: QuerySet, *, now: dt.datetime) -> QuerySet:
    """LiveMeterState rows annotated with ``estimated_this_month`` and ``open_events`` (one query)."""
    this_month = Q()
    for community_pk, start in month_starts(now=now).items():
        this_month |= Q(house__community_id=community_pk, house__readings__interval_start__gte=start)
    estimated = Q(house__readings__estimated=True) & this_month if this_month else Q(pk__in=[])
    return queryset.annotate(
        estimated_this_month=Count("house__readings", filter=estimated, distinct=True),
        open_events=Count("house__meter_events", filter=Q(house__meter_events__resolved=False), distinct=True),
    )


def silent_meters(queryset: QuerySet, *, now: dt.datetime) -> QuerySet:
    """Meters whose last message arrived more than ``SILENT_AFTER`` ago."""
    return queryset.filter(received_at__lt=now - SILENT_AFTER)
