"""What invoicing does when metering announces a change: it enqueues work, the services do it."""

from metering.signals import readings_imported

from . import queue
from .models import SettlementPeriod


def period_figures_after_import(sender, *, community, first_start, last_start, **kwargs) -> None:
    """Keep the figures of the open months an import touched, so their pages answer at once."""
    touched = SettlementPeriod.objects.filter(
        community=community, status=SettlementPeriod.Status.OPEN, start__lte=last_start, end__gt=first_start
    ).values_list("pk", flat=True)
    queue.period_figures_enqueue(period_pks=touched)


def connect() -> None:
    readings_imported.connect(period_figures_after_import, dispatch_uid="invoicing_period_figures_after_import")
