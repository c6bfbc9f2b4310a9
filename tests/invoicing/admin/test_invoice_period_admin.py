"""The invoice page shows the days billed: a house's membership within the month, in local days."""

import datetime as dt

import pytest
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice
from tests.factories import CommunityFactory, HouseFactory, TariffFactory

pytestmark = pytest.mark.django_db


def test_the_invoice_page_shows_the_days_a_mid_month_member_is_billed(admin_client):
    berlin = CommunityFactory(time_zone="Europe/Berlin")
    TariffFactory(community=berlin)
    HouseFactory(community=berlin, active_from=dt.date(2026, 3, 17))
    services.invoices_generate(period=services.period_get_or_create(community=berlin, month="2026-03"))

    response = admin_client.get(reverse("admin:invoicing_invoice_change", args=[Invoice.objects.get().pk]))

    assert "2026-03-17 to 2026-03-31 (Europe/Berlin)" in response.content.decode()
