"""Calendar math in a community's own time zone. Pure: no ORM.

Billing periods and house activity are calendar days and months where the community lives, while
everything is stored in UTC. Bounds are half-open ``[start, end)`` and always start at local
midnight, so a month in Europe/Berlin is 743 hours long in March and 745 in October.
"""

import datetime as dt
import re
from zoneinfo import ZoneInfo

UTC = dt.UTC
PERIOD_ID_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def local_midnight(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The instant (in UTC) at which ``day`` begins in ``zone``."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(UTC)


def parse_period_id(period_id: str) -> tuple[int, int]:
    """``"2026-01"`` -> ``(2026, 1)``; anything else is a ValueError that says what is expected."""
    match = PERIOD_ID_PATTERN.match(period_id or "")
    if not match:
        raise ValueError(f"Period {period_id!r} is not of the form YYYY-MM, e.g. 2026-01.")
    return int(match.group(1)), int(match.group(2))


def month_first_days(period_id: str) -> tuple[dt.date, dt.date]:
    """The first day of the month and the first day of the next month."""
    year, month = parse_period_id(period_id)
    first = dt.date(year, month, 1)
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return first, following


def month_bounds(period_id: str, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The month as a half-open UTC range from local midnight to local midnight."""
    first, following = month_first_days(period_id)
    return local_midnight(first, zone), local_midnight(following, zone)


def period_id_of(instant: dt.datetime, zone: ZoneInfo) -> str:
    """The ``YYYY-MM`` month that contains ``instant`` in ``zone``."""
    local = instant.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def interval_count(start: dt.datetime, end: dt.datetime, interval_minutes: int) -> int:
    """How many metering intervals fit in ``[start, end)``; UTC arithmetic, so DST days count right."""
    seconds = (end - start).total_seconds()
    return int(seconds // (interval_minutes * 60))


def day_bounds(day: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return local_midnight(day, zone), local_midnight(day + dt.timedelta(days=1), zone)
