"""Periods and the locks every status-dependent write takes first.

Locks, in the order a write takes them (always this order, so two writers never deadlock):
1. the period's row (``period_lock``): everything that depends on a period's status queues here,
   so a close and a preview, or two closes, of one period never interleave;
2. the community's row (``meter_data_lock``), only where meter data is frozen: imports take the
   same lock before their final frozen-range check, so no reading slips into a month being frozen;
3. the invoice-number counter's row (``issuing.invoice_numbers_allocate``): what keeps numbers
   gap-free and unique when several periods of a community issue at once.
Each is ``SELECT ... FOR UPDATE OF`` the one table named, never a joined row as a side effect.
A cancellation locks its issued invoice before the period; writers holding a period lock touch
drafts only, so they never wait for that row.
"""

from django.core.exceptions import ValidationError

from communities.models import Community
from core.local_time import month_bounds, parse_period_id
from metering.models import FrozenRange

from ..models import SettlementPeriod


def period_get_or_create(*, community: Community, month: str) -> SettlementPeriod:
    """The community's period for the month ``month`` (YYYY-MM), created open if new."""
    try:
        parse_period_id(month)
    except ValueError as error:
        raise ValidationError(str(error)) from error
    start, end = month_bounds(month, community.zone)
    period, _ = SettlementPeriod.objects.get_or_create(
        community=community, month=month, defaults={"start": start, "end": end}
    )
    return period


Status = SettlementPeriod.Status
ANY_STATUS = tuple(Status)
PERIOD_REFUSALS = {
    Status.OPEN: "Period {period} is open; it has not been closed yet.",
    Status.CLOSING: (
        "Period {period} is closing; its invoices are being issued. Wait for the close to finish "
        "(progress on the period's page)."
    ),
    Status.CLOSED: "Period {period} of {community} is closed; its invoices are final.",
}


def period_lock(period: SettlementPeriod, *, allowed=(Status.OPEN,), refusals=PERIOD_REFUSALS) -> SettlementPeriod:
    """The period re-read under its row lock, refused unless its status is one of ``allowed``.

    Every write that depends on a period's status takes this lock first, so a close and a
    preview (or two closes) of one period queue up instead of interleaving. Only the period's
    row is locked (``FOR UPDATE OF``); its community comes along unlocked. A refusal message
    may use ``{period}`` (the month), ``{community}`` and ``{label}`` (both).
    """
    locked = SettlementPeriod.objects.select_for_update(of=("self",)).select_related("community").get(pk=period.pk)
    if locked.status not in allowed:
        raise ValidationError(
            refusals[locked.status].format(period=locked.month, community=locked.community, label=locked)
        )
    return locked


def meter_data_lock(period: SettlementPeriod) -> None:
    """Queue behind meter-data writers of the community: imports take this row lock before their
    final frozen-range check, so no reading slips into the month between a check and a freeze."""
    Community.objects.select_for_update(of=("self",)).filter(pk=period.community_id).first()


def meter_data_freeze(period: SettlementPeriod) -> None:
    """Make the month's readings final (``FrozenRange``): invoices are issued from them."""
    FrozenRange.objects.get_or_create(
        community_id=period.community_id,
        start=period.start,
        defaults={"end": period.end, "reason": f"settlement period {period.month} is closed"},
    )
