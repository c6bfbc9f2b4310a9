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
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from communities.models import Community
from core.local_format import active_language, whole_number
from core.local_time import month_bounds, parse_period_id
from metering.frozen import CLOSED_PERIOD_REASON
from metering.models import FrozenRange

from .. import lifecycle, selectors
from ..models import PeriodIntervalEnergy, SettlementPeriod
from ..period_figures import period_completeness_kept


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
# A whole sentence per status, so each language words it its own way; ``period_lock`` fills in
# ``%(period)s`` (the month), ``%(community)s`` and ``%(label)s`` (both).
PERIOD_REFUSALS = {
    Status.OPEN: gettext_lazy("Period %(period)s is open; it has not been closed yet."),
    Status.CLOSING: gettext_lazy(
        "Period %(period)s is closing; its invoices are being issued. Wait for the close to finish "
        "(progress on the period's page)."
    ),
    Status.CLOSED: gettext_lazy("Period %(period)s of %(community)s is closed; its invoices are final."),
}


def period_lock(period: SettlementPeriod, *, allowed=(Status.OPEN,), refusals=PERIOD_REFUSALS) -> SettlementPeriod:
    """The period re-read under its row lock, refused unless its status is one of ``allowed``.

    Every write that depends on a period's status takes this lock first, so a close and a
    preview (or two closes) of one period queue up instead of interleaving. Only the period's
    row is locked (``FOR UPDATE OF``); its community comes along unlocked.
    """
    locked = SettlementPeriod.objects.select_for_update(of=("self",)).select_related("community").get(pk=period.pk)
    if locked.status not in allowed:
        raise ValidationError(
            refusals[locked.status] % {"period": locked.month, "community": locked.community, "label": locked}
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
        defaults={"end": period.end, "reason": CLOSED_PERIOD_REASON % {"month": period.month}},
    )


def interval_energy_store(period: SettlementPeriod) -> None:
    """Store the billed houses' summed energy per interval of a period whose meter data is frozen:
    the close's steps and its statement read these few thousand rows, not the month's readings.

    On SQLite one ``INSERT ... SELECT``: the database sums and stores, no sums travel through
    Python. PostgreSQL never plans a statement that writes in parallel, and summing six million
    readings in a plain SELECT on two cores took half the time: there the sums come back and go
    into the table by one bulk INSERT (3,000 rows, some 30 ms).
    """
    PeriodIntervalEnergy.objects.filter(period=period).delete()
    sums = selectors.interval_energy_sums(
        houses=selectors.houses_billable_in(period=period), start=period.start, end=period.end
    )
    if connection.vendor == "postgresql":
        PeriodIntervalEnergy.objects.bulk_create(
            PeriodIntervalEnergy(period=period, interval_start=start, exported_wh=exported, imported_wh=imported)
            for start, exported, imported in sums
        )
        return
    sql, params = sums.query.sql_with_params()
    table = connection.ops.quote_name(PeriodIntervalEnergy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (period_id, interval_start, exported_wh, imported_wh) "
            f"SELECT %s, sums.interval_start, sums.exported, sums.imported FROM ({sql}) sums",
            [period.pk, *params],
        )


FORCE_PERMISSION = "invoicing.force_period"
# The gate's refusals per ``work``: a whole sentence each, so every language words it its own way.
NOT_ENDED = {
    "close": gettext_lazy("Period %(period)s has not ended yet: it can be closed from %(ends)s, after its last day."),
    "issue": gettext_lazy(
        "Period %(period)s has not ended yet: its invoices can be issued from %(ends)s, after its last day."
    ),
}
FORCED_WITHOUT_REASON = {
    "close": gettext_lazy("A forced close needs a written reason (e.g. 'meter of house_4 replaced, data lost')."),
    "issue": gettext_lazy("A forced issue needs a written reason (e.g. 'meter of house_4 replaced, data lost')."),
}
FORCE_NOT_ALLOWED = {
    "close": gettext_lazy(
        "Only a user with the permission 'Can force issuing or closing a period with missing readings' may "
        "force a close; %(user)s does not have it."
    ),
    "issue": gettext_lazy(
        "Only a user with the permission 'Can force issuing or closing a period with missing readings' may "
        "force an issue; %(user)s does not have it."
    ),
}
INCOMPLETE = {
    "close": gettext_lazy(
        "Period %(period)s is incomplete: %(summary)s (%(houses)s). Import the missing readings, or force the "
        "close with a written reason."
    ),
    "issue": gettext_lazy(
        "Period %(period)s is incomplete: %(summary)s (%(houses)s). Import the missing readings, or force the "
        "issue with a written reason."
    ),
}


def period_gate(
    locked: SettlementPeriod, *, work: str, acting_user=None, force: bool = False, reason: str = ""
) -> selectors.Completeness:
    """What closing and issuing both check before they freeze a month and number its invoices.

    The month must have ended (local midnight after its last day, in the community's zone):
    forced or not, a running month would be frozen with readings still to come. Its readings
    must be complete, unless ``force`` with a written ``reason`` by a user holding
    ``invoicing.force_period``. ``acting_user=None`` is a command or the schedule, acting as the
    server's OS user, which is trusted. ``work`` is ``"close"`` or ``"issue"``: the messages name it.
    Call it under the period's and the community's locks, before anything is written. The readings
    are counted once: as kept with the period's figures while their key matches (the page the work
    was confirmed on), else afresh (``period_completeness_kept``).
    """
    ends = period_not_ended(locked)
    if ends:
        raise ValidationError(NOT_ENDED[work] % {"period": locked, "ends": ends})
    if force and not (reason or "").strip():
        raise ValidationError(str(FORCED_WITHOUT_REASON[work]))
    if force and acting_user is not None and not acting_user.has_perm(FORCE_PERMISSION):
        raise ValidationError(FORCE_NOT_ALLOWED[work] % {"user": lifecycle.user_display_name(acting_user)})
    completeness = period_completeness_kept(period=locked)
    if not completeness.complete and not force:
        worst = ", ".join(
            gettext("%(house)s (%(missing)s missing)")
            % {"house": house.house_id, "missing": whole_number(house.missing, active_language())}
            for house in completeness.with_gaps[:5]
        )
        houses = f"{worst}{', ...' if len(completeness.with_gaps) > 5 else ''}"
        raise ValidationError(
            INCOMPLETE[work] % {"period": locked, "summary": completeness.summary(), "houses": houses}
        )
    return completeness


def period_not_ended(period: SettlementPeriod) -> str:
    """ "" once the period has ended; before, when it ends in its community's time zone, as the gate's
    refusal and the confirmation pages say it: ``2026-04-01 00:00 (Europe/Berlin)``."""
    if timezone.now() >= period.end:
        return ""
    zone = period.community.zone
    return f"{period.end.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key})"


def forced_by(acting_user=None, actor_name: str = "") -> str:
    """Who forced a gate, as the period's record names them."""
    if acting_user is not None:
        return lifecycle.user_display_name(acting_user)
    return lifecycle.actor_label(None, actor_name)
