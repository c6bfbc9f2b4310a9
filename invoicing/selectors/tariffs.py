import datetime as dt

from django.db.models import Q

from communities.models import Community

from .. import pricing
from ..models import Invoice, InvoiceLine, SettlementPeriod, Tariff


def _local_day(instant: dt.datetime, community: Community) -> dt.date:
    return instant.astimezone(community.zone).date()


def tariff_in_effect(*, community: Community, at: dt.datetime) -> Tariff | None:
    """The tariff whose ``starts_at`` is the latest not after ``at``.

    A tariff starts at local midnight of its day, so it is in force at ``at`` exactly when its day
    is not after the local day of ``at``.
    """
    return community.tariffs.filter(valid_from__lte=_local_day(at, community)).order_by("-valid_from").first()


def tariffs_for_range(*, community: Community, start: dt.datetime, end: dt.datetime) -> list[Tariff]:
    """The tariff in force at ``start`` and every version that starts (local midnight) before ``end``."""
    first_day = _local_day(start, community)
    # starts_at < end  <=>  its day is not after the local day of end's last instant
    last_day = _local_day(end - dt.timedelta(microseconds=1), community)
    return list(
        community.tariffs.filter(
            Q(valid_from__lte=last_day)
            & (
                Q(valid_from__gt=first_day)
                | Q(pk__in=community.tariffs.filter(valid_from__lte=first_day).order_by("-valid_from")[:1])
            )
        ).order_by("valid_from")
    )


def period_tariff_segments(*, period: SettlementPeriod) -> list[pricing.TariffSegment[Tariff]]:
    """The period split by tariff version, each from local midnight of its day.

    Raises ``pricing.NoTariffError`` naming the local day that has no tariff, as staff enter them.
    """
    community = period.community
    tariffs = tariffs_for_range(community=community, start=period.start, end=period.end)
    try:
        return pricing.tariff_segments(tariffs, period.start, period.end)
    except pricing.NoTariffError as error:
        raise pricing.NoTariffError(
            f"No tariff is in force on {_local_day(period.start, community)} ({community.zone.key}); "
            "add a tariff valid from that day or earlier."
        ) from error


def tariff_is_quoted(*, tariff: Tariff) -> bool:
    """Whether an issued invoice was priced with this tariff version (which then must not change)."""
    return InvoiceLine.objects.filter(tariff=tariff, invoice__status__in=Invoice.ISSUED_STATUSES).exists()
