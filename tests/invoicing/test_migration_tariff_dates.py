"""Upgrading across invoicing 0007: a tariff's start instant becomes the local day it falls on."""

import datetime as dt

import pytest

from invoicing.models import Tariff
from tests.migrations import migrate_to

BEFORE = [("invoicing", "0006_payments")]


def _old_tariffs(*starts: dt.datetime):
    """Tariffs of a Berlin community written through the models as they were at invoicing 0005."""
    old = migrate_to(BEFORE).apps
    community = old.get_model("communities", "Community").objects.create(
        name="Sonnenfeld", slug="sonnenfeld", legal_name="LEG Sonnenfeld", address="Weg 1", time_zone="Europe/Berlin"
    )
    for start in starts:
        old.get_model("invoicing", "Tariff").objects.create(community=community, valid_from=start)


@pytest.fixture
def upgraded(transactional_db):
    yield
    migrate_to()


def test_a_local_midnight_becomes_its_day(upgraded):
    _old_tariffs(dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC))  # 2026-03-01 00:00 in Berlin

    migrate_to()

    tariff = Tariff.objects.get()
    assert (tariff.valid_from, tariff.starts_at) == (dt.date(2026, 3, 1), dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC))


def test_a_utc_midnight_becomes_the_local_day_it_falls_on(upgraded):
    _old_tariffs(dt.datetime(2026, 3, 1, tzinfo=dt.UTC))  # typed as "2026-03-01" on a UTC site: 01:00 in Berlin

    migrate_to()

    assert Tariff.objects.get().valid_from == dt.date(2026, 3, 1)


def test_two_tariffs_on_one_local_day_refuse_the_upgrade(upgraded):
    _old_tariffs(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))

    with pytest.raises(RuntimeError, match="both start on 2026-03-01 in Europe/Berlin"):
        migrate_to()

    old = migrate_to(BEFORE).apps  # nothing changed: both are still there, and staff remove one
    assert old.get_model("invoicing", "Tariff").objects.count() == 2
    old.get_model("invoicing", "Tariff").objects.all().delete()


def test_going_back_restores_the_local_midnight(upgraded):
    _old_tariffs(dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC))
    migrate_to()

    old = migrate_to(BEFORE).apps

    assert old.get_model("invoicing", "Tariff").objects.get().valid_from == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
