"""What metering tells the apps built on it, without importing them (they import metering)."""

import datetime as dt

from django.db import transaction
from django.dispatch import Signal

# Sent once a meter-data file's readings are committed, with ``community`` and ``first_start``,
# ``last_start``: the earliest and latest interval start the file wrote (UTC). Invoicing computes
# the figures of the months it touched then, so staff's first look after an import is quick.
readings_imported = Signal()


def readings_imported_announce(*, community, first_start: dt.datetime, last_start: dt.datetime) -> None:
    """Send ``readings_imported`` after the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(
        lambda: readings_imported.send(
            sender=type(community), community=community, first_start=first_start, last_start=last_start
        )
    )
