"""The admin index's dashboard: per community, where the month stands and what awaits staff.

Everything comes from aggregates, in a fixed number of queries whatever the number of communities
or months (``community_dashboards`` says which). The chart's grid flows and community result are
per-interval netting: they are read from the statement a close froze, never recomputed here, so
an open month shows the houses' energy (from its invoices) and no grid figures yet.
"""

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from communities.models import Community
from core.local_time import parse_period_id, period_id_of
from metering.models import ImportJob
from metering.selectors import last_import_jobs

from ..models import Invoice, PdfState, SettlementPeriod, StatementDocument
from .completeness import Completeness, periods_completeness
from .deliveries import open_failures
from .invoices import invoices_past_due

CHART_MONTHS = 12
ZERO = Decimal("0")


@dataclass(frozen=True)
class MonthFigures:
    """One month of a community's chart. The grid figures and the result are ``None`` until the
    month is closed (its statement frozen)."""

    month: str
    exported_kwh: Decimal  # the houses' production delivered to the community
    imported_kwh: Decimal  # the houses' consumption taken from it
    grid_delivery_kwh: Decimal | None
    grid_consumption_kwh: Decimal | None
    community_result_ct: Decimal | None


@dataclass(frozen=True)
class CommunityDashboard:
    community: Community
    open_period: SettlementPeriod | None  # the oldest open month: the next to close
    completeness: Completeness | None
    last_import: ImportJob | None
    drafts: int
    pdfs_failed: int
    pdfs_pending: int
    emails_failed: int  # failed and not resent yet, of any month
    past_due: int
    months: list[MonthFigures]

    @property
    def awaits_action(self) -> bool:
        return bool(self.drafts or self.pdfs_failed or self.pdfs_pending or self.emails_failed or self.past_due)


def chart_months(latest: str, count: int = CHART_MONTHS) -> list[str]:
    """``count`` period ids ending with ``latest``, oldest first: ``2026-01`` … ``2026-12``."""
    year, month = parse_period_id(latest)
    index = year * 12 + month - 1
    return [f"{number // 12}-{number % 12 + 1:02d}" for number in range(index - count + 1, index + 1)]


def community_dashboards(*, communities, now: dt.datetime | None = None) -> list[CommunityDashboard]:
    """One dashboard per community of ``communities`` (in their order), in nine queries at most:
    open periods, their houses and readings (completeness), last imports, invoice counts, failed
    e-mails, past-due invoices, the chart's invoice sums and its frozen statements."""
    communities = list(communities)
    if not communities:
        return []
    now = now or timezone.now()
    by_pk = {community.pk: community for community in communities}
    open_periods = _oldest_open_periods(by_pk)
    completeness = periods_completeness(periods=open_periods.values())
    imports = last_import_jobs(communities=communities)
    counts = _invoice_counts(by_pk)
    emails_failed = _per_community(open_failures().filter(community__in=communities))
    past_due = _per_community(invoices_past_due(communities=communities, now=now))
    months = {pk: chart_months(period_id_of(now, community.zone)) for pk, community in by_pk.items()}
    figures = _month_figures(months)
    return [
        CommunityDashboard(
            community=community,
            open_period=open_periods.get(community.pk),
            completeness=completeness.get(getattr(open_periods.get(community.pk), "pk", None)),
            last_import=imports.get(community.pk),
            drafts=counts.get(community.pk, {}).get("drafts", 0),
            pdfs_failed=counts.get(community.pk, {}).get("pdfs_failed", 0),
            pdfs_pending=counts.get(community.pk, {}).get("pdfs_pending", 0),
            emails_failed=emails_failed.get(community.pk, 0),
            past_due=past_due.get(community.pk, 0),
            months=figures[community.pk],
        )
        for community in communities
    ]


def _per_community(rows) -> dict[int, int]:
    """How many of ``rows`` (a queryset with a ``community`` field) each community has, in one query."""
    return dict(rows.order_by().values("community_id").annotate(count=Count("pk")).values_list("community_id", "count"))


def _oldest_open_periods(by_pk: dict[int, Community]) -> dict[int, SettlementPeriod]:
    oldest: dict[int, SettlementPeriod] = {}
    periods = SettlementPeriod.objects.filter(community__in=list(by_pk), status=SettlementPeriod.Status.OPEN)
    for period in periods.order_by("-month"):
        period.community = by_pk[period.community_id]  # already loaded: no query per period
        oldest[period.community_id] = period
    return oldest


def _invoice_counts(by_pk: dict[int, Community]) -> dict[int, dict[str, int]]:
    issued = Q(status__in=Invoice.ISSUED_STATUSES)
    rows = (
        Invoice.objects.filter(community__in=list(by_pk))
        .order_by()
        .values("community_id")
        .annotate(
            drafts=Count("pk", filter=Q(status=Invoice.Status.DRAFT)),
            pdfs_failed=Count("pk", filter=issued & Q(pdf_state=PdfState.FAILED)),
            pdfs_pending=Count("pk", filter=issued & Q(pdf_state=PdfState.PENDING)),
        )
    )
    return {row.pop("community_id"): row for row in rows}


def _month_figures(months: dict[int, list[str]]) -> dict[int, list[MonthFigures]]:
    """Each community's chart months: the frozen statement's totals where the month is closed,
    else the sums of its live invoices (drafts included), else zeros."""
    earliest = min(month_list[0] for month_list in months.values())
    energy = {
        (row["community_id"], row["period__month"]): row
        for row in Invoice.objects.live()
        .filter(community__in=list(months), period__month__gte=earliest)
        .order_by()
        .values("community_id", "period__month")
        .annotate(exported=Sum("energy_exported_kwh"), imported=Sum("energy_imported_kwh"))
    }
    statements = {
        (community_pk, month): json.loads(content)["total"]
        for community_pk, month, content in StatementDocument.objects.filter(
            period__community__in=list(months), period__month__gte=earliest
        ).values_list("period__community_id", "period__month", "content_json")
    }
    result = {}
    for community_pk, month_list in months.items():
        result[community_pk] = [
            _one_month(month, statements.get((community_pk, month)), energy.get((community_pk, month)))
            for month in month_list
        ]
    return result


def _one_month(month: str, total: dict | None, energy: dict | None) -> MonthFigures:
    if total is not None:
        return MonthFigures(
            month=month,
            exported_kwh=Decimal(total["exported_kwh"]),
            imported_kwh=Decimal(total["imported_kwh"]),
            grid_delivery_kwh=Decimal(total["grid_delivery_kwh"]),
            grid_consumption_kwh=Decimal(total["grid_consumption_kwh"]),
            community_result_ct=Decimal(total["community_result_ct"]),
        )
    return MonthFigures(
        month=month,
        exported_kwh=(energy or {}).get("exported") or ZERO,
        imported_kwh=(energy or {}).get("imported") or ZERO,
        grid_delivery_kwh=None,
        grid_consumption_kwh=None,
        community_result_ct=None,
    )
