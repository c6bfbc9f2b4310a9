"""Fixtures most invoicing tests share: a community with the default tariff, and its January 2026."""

import datetime as dt

import pytest

from invoicing import services
from invoicing.models import SettlementPeriod
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    return community


@pytest.fixture
def period(community):
    return SettlementPeriodFactory(community=community)


@pytest.fixture
def closed_january(community, period, django_capture_on_commit_callbacks):
    """January 2026 of two houses with every reading, closed: invoices, statement and PDFs stored."""
    for number in (1, 2):
        house = HouseFactory(community=community, house_id=f"house_{number}")
        add_readings(house, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), [("0.1", "0.2")] * 31 * 96)
    with django_capture_on_commit_callbacks(execute=True):
        services.period_close_start(period=period)
    period.refresh_from_db()
    assert period.status == SettlementPeriod.Status.CLOSED
    return period
