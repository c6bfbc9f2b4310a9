"""Upgrading across invoicing 0008: invoices issued before it get their house key frozen, then guarded."""

import datetime as dt
from decimal import Decimal

import pytest

from invoicing.models import Invoice
from tests.database_guards import refused
from tests.migrations import migrate_to

BEFORE_THE_GUARDS = [("invoicing", "0007_tariff_valid_from_local_date")]
JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def issued_before_the_guards(transactional_db):
    """An issued invoice of house_1, written through the models as they were at invoicing 0007."""
    old = migrate_to(BEFORE_THE_GUARDS).apps
    community = old.get_model("communities", "Community").objects.create(
        name="Sonnenfeld", slug="sonnenfeld", legal_name="LEG Sonnenfeld", address="Weg 1"
    )
    house = old.get_model("communities", "House").objects.create(
        community=community, house_id="house_1", name="Weg 1", owner_name="A", address="Weg 1", active_from=JANUARY
    )
    period = old.get_model("invoicing", "SettlementPeriod").objects.create(
        community=community, month="2026-01", start=JANUARY, end=FEBRUARY, status="closed"
    )
    old.get_model("invoicing", "Invoice").objects.create(
        community=community,
        house=house,
        period=period,
        number="INV-2026-001",
        status="pending",
        issued_at=FEBRUARY,
        period_start=JANUARY,
        period_end=FEBRUARY,
        energy_exported_kwh=Decimal("450.5"),
        energy_imported_kwh=Decimal("120.3"),
        export_revenue_ct=Decimal("9010"),
        import_cost_ct=Decimal("3007.5"),
        net_amount_ct=Decimal("6002.5"),
    )
    migrate_to()
    yield
    migrate_to()


def test_an_invoice_issued_before_the_upgrade_keeps_its_house_key(issued_before_the_guards):
    assert Invoice.objects.get().house_key == "house_1"


def test_an_invoice_issued_before_the_upgrade_is_guarded_after_it(issued_before_the_guards):
    refused("UPDATE invoicing_invoice SET house_key = 'house_9'", match="An issued invoice never changes")
