"""The figures a period's page shows from its readings, kept between views until an input changes.

Summing a month of 2,000 houses (six million readings) for the live statement and counting them
for completeness takes about a second; the page shows both on every view. They are kept in
``KeptPeriodFigures`` under a key of everything they are computed from: the readings' version,
which triggers in the database bump in every transaction that writes readings (so no writer can
forget it), and the period's houses, tariffs and calendar, read afresh on each view (a few
milliseconds). The version is read before the figures are computed, so a write that commits
meanwhile leaves a key that no longer matches. docs/period-figures.md explains the choice.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import cache

from metering.selectors import readings_version

from . import selectors
from .models import KeptPeriodFigures, SettlementPeriod
from .pricing import NoTariffError
from .selectors import Completeness, HouseCompleteness
from .statement import Statement, frozen_statement, statement_compute, statement_from_json, statement_to_json


@dataclass(frozen=True)
class PeriodFigures:
    statement: Statement | None  # None: a day of the period has no tariff (``no_tariff`` says which)
    no_tariff: str
    completeness: Completeness


def period_statement_shown(*, period: SettlementPeriod, figures: PeriodFigures | None = None) -> Statement:
    """``statement_for`` for pages: the frozen statement of a closed period, else the kept live one
    (``figures`` when the page already has them).

    Raises ``NoTariffError`` when a live statement has no tariff to value it with.
    """
    frozen = frozen_statement(period=period)
    if frozen is not None:
        return frozen
    figures = figures or period_figures(period=period)
    if figures.statement is None:
        raise NoTariffError(figures.no_tariff)
    return figures.statement


def period_figures(*, period: SettlementPeriod) -> PeriodFigures:
    """The live statement and the completeness of the period, recomputed only when an input changed."""
    key = _inputs_key(period)
    kept = KeptPeriodFigures.objects.filter(period=period, inputs_key=key).first()
    if kept is not None:
        return _from_kept(kept)
    figures = _computed(period)
    KeptPeriodFigures.objects.update_or_create(
        period=period,
        defaults={
            "inputs_key": key,
            "statement_json": "" if figures.statement is None else statement_to_json(figures.statement),
            "no_tariff": figures.no_tariff,
            "completeness": [_house_row(house) for house in figures.completeness.houses],
        },
    )
    return figures


def period_completeness_kept(*, period: SettlementPeriod) -> Completeness:
    """The period's completeness as kept with its figures while their key still matches (the page
    the close was confirmed on counted it), else counted afresh; never stored from here.

    What a close's gate checks: under the close's locks the readings' version is read after every
    committed write, so a reading written after the page's view leaves a key that no longer
    matches, and it is counted.
    """
    kept = (
        KeptPeriodFigures.objects.filter(period=period, inputs_key=_inputs_key(period))
        .values_list("completeness", flat=True)
        .first()
    )
    if kept is None:
        return selectors.period_completeness(period=period)
    return _completeness_from(kept)


def _inputs_key(period: SettlementPeriod) -> str:
    """SHA-256 of all the figures depend on; the readings' version first, before anything is summed."""
    community = period.community
    version = readings_version(community_id=community.pk, start=period.start, end=period.end)
    houses = selectors.houses_billable_in(period=period).order_by("pk")
    try:
        tariffs = [
            (segment.start, segment.end, segment.tariff.pk, segment.tariff.mode, segment.tariff.prices)
            for segment in selectors.period_tariff_segments(period=period)
        ]
    except NoTariffError as error:
        tariffs = str(error)
    inputs = (
        version,
        (period.pk, period.month, period.start, period.end),
        (community.slug, community.time_zone, community.interval_minutes),
        list(houses.values_list("pk", "house_id", "name", "active_from", "active_until")),
        tariffs,
    )
    return hashlib.sha256(repr(inputs).encode()).hexdigest()


def _computed(period: SettlementPeriod) -> PeriodFigures:
    completeness = selectors.period_completeness(period=period)
    try:
        return PeriodFigures(statement_compute(period=period), "", completeness)
    except NoTariffError as error:
        return PeriodFigures(None, str(error), completeness)


def _from_kept(kept: KeptPeriodFigures) -> PeriodFigures:
    statement = statement_from_json(kept.statement_json) if kept.statement_json else None
    return PeriodFigures(statement, kept.no_tariff, _completeness_from(kept.completeness))


def _completeness_from(rows: list) -> Completeness:
    day = cache(dt.date.fromisoformat)  # most houses share their first and last day
    houses = [
        HouseCompleteness(pk, house_id, name, day(first), day(last), expected, present, estimated)
        for pk, house_id, name, first, last, expected, present, estimated in rows
    ]
    return Completeness(houses=houses)


def _house_row(house: HouseCompleteness) -> list:
    """A house's completeness as a JSON array (2,000 of them decode faster than objects)."""
    return [
        house.house_pk,
        house.house_id,
        house.house_name,
        house.first_day.isoformat(),
        house.last_day.isoformat(),
        house.expected,
        house.present,
        house.estimated,
    ]
