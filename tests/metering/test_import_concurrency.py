"""An import racing a close, on PostgreSQL with two real connections (SQLite serialises writers)."""

import datetime as dt
import io
import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from communities.models import Community
from metering.imports.engine import readings_import
from metering.models import FrozenRange, MeterReading
from tests.factories import CommunityFactory, HouseFactory

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CSV = b"house_id,timestamp,energy_exported_kwh,energy_imported_kwh\nhouse_1,2026-01-15T10:00:00Z,1.5,0\n"


def test_an_import_waits_for_a_close_freezing_the_month_and_is_then_refused():
    community = CommunityFactory(slug="race")
    HouseFactory(community=community, house_id="house_1")
    close_holds_lock = threading.Event()
    outcome = {}

    def close_freezing_january():
        # What period_close_start does: lock the community row, then freeze the month.
        try:
            with transaction.atomic():
                Community.objects.select_for_update().filter(pk=community.pk).first()
                close_holds_lock.set()
                time.sleep(1.0)  # the import reaches its write meanwhile
                FrozenRange.objects.create(
                    community=community, start=JANUARY, end=JANUARY.replace(month=2), reason="period 2026-01 is closed"
                )
        finally:
            connection.close()

    def import_january_reading():
        try:
            close_holds_lock.wait(10)
            outcome["result"] = readings_import(community=community, fileobj=io.BytesIO(CSV))
        finally:
            connection.close()

    threads = [threading.Thread(target=close_freezing_january), threading.Thread(target=import_january_reading)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    close_old_connections()

    result = outcome["result"]
    assert not result.ok
    assert "period 2026-01 is closed" in " ".join(error.message for error in result.errors)
    assert not MeterReading.objects.exists()
