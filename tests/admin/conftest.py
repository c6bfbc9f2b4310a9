"""A community billable for January 2026, its invoices, and a staff login without permissions."""

import pytest

from invoicing import services
from invoicing.models import Invoice
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
    member_of,
)

from .helpers import JANUARY


@pytest.fixture
def community():
    return CommunityFactory(slug="sonnenfeld", name="Sonnenfeld")


@pytest.fixture
def billable(community):
    """A community ready to bill January 2026: a tariff, a house with readings, an open period."""
    TariffFactory(community=community)
    house = HouseFactory(community=community, house_id="house_1")
    add_readings(house, JANUARY, [("450.5", "120.3")])
    period = SettlementPeriodFactory(community=community)
    return house, period


@pytest.fixture
def issued_invoice(billable):
    _, period = billable
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    return Invoice.objects.get(period=period)


@pytest.fixture
def draft_invoice(billable):
    _, period = billable
    services.invoices_generate(period=period)
    return Invoice.objects.get(period=period)


@pytest.fixture
def staff_client(client, django_user_model, community):
    """Logged in as staff of the community with no permissions at all."""
    user = django_user_model.objects.create_user(username="clerk", password="secret", is_staff=True)
    member_of(user, community)
    client.force_login(user)
    client.user = user
    return client
