import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from invoicing.models import Tariff
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def period():
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community), JANUARY, [("10", "0")])
    add_readings(HouseFactory(community=community), JANUARY, [("0", "11")])
    return SettlementPeriodFactory(community=community)


def test_period_page_shows_the_statement_and_its_charts(admin_client, period):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[period.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Community result: <strong" in page and "0.45 EUR" in page
    assert "20.9091 ct/kWh" in page  # break-even p_con, 230/11
    assert page.count('class="statement-chart"') == 2


@pytest.mark.parametrize("output_format", ["csv", "json"])
def test_statement_downloads(admin_client, period, output_format):
    url = reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, output_format])

    response = admin_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="statement-sonnenfeld-2026-01.{output_format}"'
    body = response.content.decode()
    if output_format == "json":
        assert json.loads(body)["total"]["community_result_ct"] == "45"
    else:
        assert body.splitlines()[-1] == "total,10,11,0,1,200,275,0,30,45"


def test_statement_download_needs_view_permission(client, django_user_model, period):
    user = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    client.force_login(user)

    response = client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "csv"]))

    assert response.status_code == 403


def test_unknown_statement_format_is_404(admin_client, period):
    response = admin_client.get(reverse("admin:invoicing_settlementperiod_statement", args=[period.pk, "xml"]))

    assert response.status_code == 404


def test_tariff_form_suggests_p_con_halfway(admin_client):
    community = CommunityFactory()

    response = admin_client.post(
        reverse("admin:invoicing_tariff_add"),
        {
            "community": community.pk,
            "valid_from_0": "2026-01-01",
            "valid_from_1": "00:00:00",
            "mode": "break_even",
            "p_pv_ct_per_kwh": "18",
            "p_con_ct_per_kwh": "99",
            "p_grid_del_ct_per_kwh": "6",
            "p_grid_con_ct_per_kwh": "32",
            "suggest_p_con": "on",
        },
    )

    assert response.status_code == 302
    tariff = Tariff.objects.get()
    assert tariff.p_con_ct_per_kwh == Decimal("25")
    assert tariff.mode == Tariff.Mode.BREAK_EVEN
