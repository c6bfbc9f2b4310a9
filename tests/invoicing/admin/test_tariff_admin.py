"""The tariff admin refuses tariffs that would reprice a closed month, with a form error."""

import datetime as dt

import pytest
from django.urls import reverse

from invoicing.models import SettlementPeriod, Tariff
from tests.factories import CommunityFactory, SettlementPeriodFactory, TariffFactory

pytestmark = pytest.mark.django_db

PRICES = {
    "mode": "fixed",
    "p_pv_ct_per_kwh": "20",
    "p_con_ct_per_kwh": "25",
    "p_grid_del_ct_per_kwh": "6",
    "p_grid_con_ct_per_kwh": "30",
}


@pytest.fixture
def closed_january():
    community = CommunityFactory()
    TariffFactory(community=community)
    return SettlementPeriodFactory(community=community, status=SettlementPeriod.Status.CLOSED)


def test_adding_a_tariff_inside_a_closed_month_shows_a_form_error(admin_client, closed_january):
    response = admin_client.post(
        reverse("admin:invoicing_tariff_add"),
        {"community": closed_january.community.pk, "valid_from": "2026-01-15", **PRICES},
    )

    assert response.status_code == 200
    assert "2026-01 is closed" in str(response.context["adminform"].form.non_field_errors())
    assert Tariff.objects.count() == 1


def test_changing_the_prices_of_a_tariff_of_a_closed_month_shows_a_form_error(admin_client, closed_january):
    tariff = Tariff.objects.get()

    response = admin_client.post(
        reverse("admin:invoicing_tariff_change", args=[tariff.pk]),
        {"community": tariff.community.pk, "valid_from": "2020-01-01", **PRICES, "p_pv_ct_per_kwh": "21"},
    )

    assert response.status_code == 200
    assert "2026-01 is closed" in str(response.context["adminform"].form.non_field_errors())
    tariff.refresh_from_db()
    assert tariff.p_pv_ct_per_kwh == 20


def test_adding_a_tariff_after_the_closed_month_is_accepted(admin_client, closed_january):
    response = admin_client.post(
        reverse("admin:invoicing_tariff_add"),
        {"community": closed_january.community.pk, "valid_from": "2026-02-01", **PRICES},
    )

    assert response.status_code == 302
    assert Tariff.objects.filter(valid_from=dt.date(2026, 2, 1)).exists()


def test_a_tariff_that_priced_a_closed_month_cannot_be_deleted(admin_client, closed_january):
    tariff = Tariff.objects.get()

    response = admin_client.post(reverse("admin:invoicing_tariff_delete", args=[tariff.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert Tariff.objects.filter(pk=tariff.pk).exists()
