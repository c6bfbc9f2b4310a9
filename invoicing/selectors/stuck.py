"""Stuck work: closes and PDFs waiting far longer than they take, after a crash or a killed cluster.

A close step takes about a second and a batch of PDFs a few; django-q2's ORM broker re-delivers an
unacknowledged task, Redis does not. What still waits ``LEG_STUCK_AFTER_MINUTES`` on is shown on the
period's page and the admin index with "Resume", and the schedule resumes it by itself.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Max, Min
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from core.formatting import site_time

from ..models import CancellationNote, Invoice, PdfState, SettlementPeriod, StatementDocument


def stuck_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LEG_STUCK_AFTER_MINUTES)


def pdf_pending_since(document) -> dt.datetime | None:
    """When a document's PDF was first queued: at issue (invoices, cancellation notes), or when the
    statement was frozen. ``None`` unless it is pending."""
    if document.pdf_state != PdfState.PENDING:
        return None
    return document.frozen_at if isinstance(document, StatementDocument) else document.issued_at


def pdf_is_stuck(document, *, now: dt.datetime | None = None) -> bool:
    since = pdf_pending_since(document)
    return since is not None and since < (now or timezone.now()) - stuck_after()


@dataclass(frozen=True)
class StuckPeriod:
    period: SettlementPeriod
    close_idle_since: dt.datetime | None  # a closing period's last progress, if that long ago
    pdfs: int  # its documents whose PDF has been pending for longer than the threshold
    pdfs_pending_since: dt.datetime | None  # the oldest of them

    @property
    def what(self) -> str:
        """``Close without progress since ...; 3 PDFs pending since ...``"""
        parts = []
        if self.close_idle_since:
            parts.append(
                gettext("Close without progress since %(since)s") % {"since": site_time(self.close_idle_since)}
            )
        if self.pdfs:
            parts.append(
                ngettext("%(count)s PDF pending since %(since)s", "%(count)s PDFs pending since %(since)s", self.pdfs)
                % {"count": self.pdfs, "since": site_time(self.pdfs_pending_since)}
            )
        return "; ".join(parts)

    def __str__(self):
        return f"{self.period}: {self.what}"


@dataclass(frozen=True)
class StuckWork:
    after: dt.timedelta
    periods: list[StuckPeriod]

    def __bool__(self):
        return bool(self.periods)

    @property
    def minutes(self) -> int:
        return int(self.after.total_seconds() // 60)


def stuck_work(*, now: dt.datetime | None = None, period: SettlementPeriod | None = None) -> StuckWork:
    """Closes without progress and PDFs pending for longer than ``LEG_STUCK_AFTER_MINUTES``, by period
    (of all communities, or of ``period`` only), oldest month first; five queries.

    A close's progress is its last issued invoice, or its start.
    """
    cutoff = (now or timezone.now()) - stuck_after()
    in_period = {} if period is None else {"period_id": period.pk}
    idle_closes = dict(
        SettlementPeriod.objects.filter(
            status=SettlementPeriod.Status.CLOSING, **({} if period is None else {"pk": period.pk})
        )
        .annotate(progress=Greatest("close_started_at", Coalesce(Max("invoices__issued_at"), "close_started_at")))
        .filter(progress__lt=cutoff)
        .values_list("pk", "progress")
    )
    pending_pdfs: dict[int, tuple[int, dt.datetime]] = {}
    for rows in _stuck_pdfs_by_period(cutoff, in_period):
        for period_pk, count, since in rows:
            known_count, known_since = pending_pdfs.get(period_pk, (0, since))
            pending_pdfs[period_pk] = (known_count + count, min(known_since, since))
    periods = SettlementPeriod.objects.filter(pk__in={*idle_closes, *pending_pdfs}).select_related("community")
    stuck = [
        StuckPeriod(
            period=loaded,
            close_idle_since=idle_closes.get(loaded.pk),
            pdfs=pending_pdfs.get(loaded.pk, (0, None))[0],
            pdfs_pending_since=pending_pdfs.get(loaded.pk, (0, None))[1],
        )
        for loaded in periods.order_by("month", "community__name")
    ]
    return StuckWork(after=stuck_after(), periods=stuck)


def _stuck_pdfs_by_period(cutoff: dt.datetime, in_period: dict) -> list:
    """``(period_pk, count, oldest)`` rows of invoices, cancellation notes and statements whose PDF
    has been pending since before ``cutoff``."""
    in_cancelled_period = {f"cancelled_invoice__{key}": value for key, value in in_period.items()}
    return [
        Invoice.objects.filter(pdf_state=PdfState.PENDING, issued_at__lt=cutoff, **in_period)
        .values_list("period_id")
        .annotate(count=Count("pk"), since=Min("issued_at")),
        CancellationNote.objects.filter(pdf_state=PdfState.PENDING, issued_at__lt=cutoff, **in_cancelled_period)
        .values_list("cancelled_invoice__period_id")
        .annotate(count=Count("pk"), since=Min("issued_at")),
        StatementDocument.objects.filter(pdf_state=PdfState.PENDING, frozen_at__lt=cutoff, **in_period)
        .values_list("period_id")
        .annotate(count=Count("pk"), since=Min("frozen_at")),
    ]
