"""Fixtures most invoicing tests share: a community with the default tariff, and its January 2026."""

import pytest

from tests.factories import CommunityFactory, SettlementPeriodFactory, TariffFactory


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    return community


@pytest.fixture
def period(community):
    return SettlementPeriodFactory(community=community)
