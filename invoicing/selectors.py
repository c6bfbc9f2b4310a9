"""Reads for invoicing: each a query the services and the admin share."""

import datetime as dt

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from communities.local_time import month_first_days
from communities.models import Community, House, MeterReading

from .models import Invoice, SettlementPeriod, Tariff
from .pricing import TariffSegment


def tariff_in_effect(*, community: Community, at: dt.datetime) -> Tariff | None:
    """The tariff with the latest ``valid_from`` not after ``at``."""
    return community.tariffs.filter(valid_from__lte=at).order_by("-valid_from").first()


def tariffs_for_range(*, community: Community, start: dt.datetime, end: dt.datetime) -> list[Tariff]:
    """The tariff in force at ``start`` and every version that starts before ``end``."""
    return list(
        community.tariffs.filter(
            Q(valid_from__lt=end)
            & (Q(valid_from__gt=start) | Q(pk__in=community.tariffs.filter(valid_from__lte=start).order_by("-valid_from")[:1]))
        ).order_by("valid_from")
    )


def houses_billable_in(*, period: SettlementPeriod):
    """Houses active on at least one local day of the period."""
    first_day, following_day = month_first_days(period.period_id)
    return House.objects.filter(community_id=period.community_id).active_between(
        first_day, following_day - dt.timedelta(days=1)
    )


def energy_wh_by_house_and_segment(
    *, houses, segments: list[TariffSegment]
) -> dict[int, list[tuple[int, int]]]:
    """Exported and imported Wh of each house in each tariff segment, in one aggregate query.

    Returns ``{house_pk: [(exported_wh, imported_wh) per segment]}`` for every house given;
    houses without readings get zeros. Integer sums, so exact on SQLite and PostgreSQL alike.
    """
    aggregates = {}
    for index, segment in enumerate(segments):
        in_segment = Q(interval_start__gte=segment.start, interval_start__lt=segment.end)
        aggregates[f"exported_{index}"] = Coalesce(Sum("exported_wh", filter=in_segment), 0)
        aggregates[f"imported_{index}"] = Coalesce(Sum("imported_wh", filter=in_segment), 0)
    rows = (
        MeterReading.objects.filter(
            house__in=houses, interval_start__gte=segments[0].start, interval_start__lt=segments[-1].end
        )
        .order_by()
        .values("house_id")
        .annotate(**aggregates)
    )
    zeros = [(0, 0)] * len(segments)
    totals = {house.pk: zeros for house in houses}
    for row in rows:
        totals[row["house_id"]] = [(row[f"exported_{i}"], row[f"imported_{i}"]) for i in range(len(segments))]
    return totals


def invoices_for_export(*, period: SettlementPeriod, drafts: bool = False):
    """The period's issued invoices (or its drafts), in house order."""
    invoices = period.invoices.select_related("house").order_by("house__house_id", "created_at")
    if drafts:
        return invoices.filter(status=Invoice.Status.DRAFT)
    return invoices.issued()
