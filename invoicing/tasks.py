"""django-q2 tasks. Thin: take ids, load, return early when the work is done, call a service.

Each is safe to run twice and after a crash (a worker killed at Q_CLUSTER's timeout is re-delivered
after ``retry``): the services work out from the database what is still missing. They are
enqueued through ``invoicing.queue`` with ``transaction.on_commit``.
"""

import logging

from core.audit import acting_as

from . import services
from .models import SettlementPeriod
from .period_figures import period_figures
from .services.closing import CLOSE_TASK_ACTOR
from .services.schedule import SCHEDULE_ACTOR

logger = logging.getLogger(__name__)


def period_close_task(period_pk: int) -> str:
    """One step of a close (a batch of invoices, or the final closed mark); the step enqueues the next."""
    period = SettlementPeriod.objects.filter(pk=period_pk).first()
    if period is None or period.status != SettlementPeriod.Status.CLOSING:
        return f"period {period_pk}: not closing, nothing to do"
    with acting_as(CLOSE_TASK_ACTOR):
        try:
            step = services.period_close_step(period=period)
        except Exception as error:
            logger.exception("Close step of period %s failed", period_pk)
            services.period_close_fail(period=period, error=f"{type(error).__name__}: {error}")
            raise
    return str(step)


def pdfs_render_task(invoice_pks: list[int], note_pks: list[int]) -> str:
    """Render and store the PDFs of a batch of issued documents; already rendered ones are skipped."""
    return str(services.documents_render(invoice_pks=invoice_pks, note_pks=note_pks))


def statement_pdf_task(document_pk: int) -> str:
    """Render the frozen community statement of a closed period; a rendered one is skipped."""
    return services.statement_pdf_render(document_pk=document_pk)


def periods_close_due_task(grace_days: int | None = None) -> str:
    """The schedule's daily run: close every community's months whose grace period is over."""
    with acting_as(SCHEDULE_ACTOR):
        return str(services.periods_close_due(grace_days=grace_days))


def deliveries_send_task(delivery_pks: list[int]) -> str:
    """Send a batch of queued e-mails; one already sent, claimed or waiting for its PDF is skipped."""
    return services.deliveries_send(delivery_pks=delivery_pks)


def billing_verify_task() -> str:
    """The nightly billing verification; its result is kept as a BillingCheck (admin index)."""
    report = services.billing_verify_and_record()
    if not report.is_clean:
        logger.error("%s", report)
    return str(report)


def period_figures_task(period_pk: int) -> str:
    """Compute and keep an open period's page figures if its readings changed (after an import)."""
    period = SettlementPeriod.objects.filter(pk=period_pk).select_related("community").first()
    if period is None or period.status != SettlementPeriod.Status.OPEN:
        return f"period {period_pk}: not open, nothing to keep"
    figures = period_figures(period=period)  # computes only what a change made stale
    return f"period {period}: figures of {len(figures.completeness.houses)} houses up to date"
