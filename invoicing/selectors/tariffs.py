import datetime as dt

from django.db.models import Q

from communities.models import Community

from ..models import Invoice, InvoiceLine, Tariff


def tariff_in_effect(*, community: Community, at: dt.datetime) -> Tariff | None:
    """The tariff with the latest ``valid_from`` not after ``at``."""
    return community.tariffs.filter(valid_from__lte=at).order_by("-valid_from").first()


def tariffs_for_range(*, community: Community, start: dt.datetime, end: dt.datetime) -> list[Tariff]:
    """The tariff in force at ``start`` and every version that starts before ``end``."""
    return list(
        community.tariffs.filter(
            Q(valid_from__lt=end)
            & (
                Q(valid_from__gt=start)
                | Q(pk__in=community.tariffs.filter(valid_from__lte=start).order_by("-valid_from")[:1])
            )
        ).order_by("valid_from")
    )


def tariff_is_quoted(*, tariff: Tariff) -> bool:
    """Whether an issued invoice was priced with this tariff version (which then must not change)."""
    return InvoiceLine.objects.filter(tariff=tariff, invoice__status__in=Invoice.ISSUED_STATUSES).exists()
