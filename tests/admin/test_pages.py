"""Every admin page opens, links where staff expect, refuses who may not see it, and stays fast on big lists."""

import pytest
from django.urls import reverse

from communities.models import Community, House
from invoicing import services
from invoicing.models import Invoice, InvoiceNumberCounter, SettlementPeriod, Tariff
from metering.models import MeterReading
from tests.factories import (
    HouseFactory,
    TariffFactory,
    add_readings,
)

from .helpers import JANUARY, REGISTERED, add_url, change_url, changelist, grant, offered_actions, post_action

pytestmark = pytest.mark.django_db


# Every page opens


@pytest.mark.parametrize("model", REGISTERED)
def test_changelist_opens(admin_client, issued_invoice, model):
    response = admin_client.get(changelist(model))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [Community, House, MeterReading, Tariff, SettlementPeriod])
def test_add_page_opens(admin_client, model):
    response = admin_client.get(add_url(model))

    assert response.status_code == 200


@pytest.mark.parametrize("model", [Invoice, InvoiceNumberCounter])
def test_add_page_is_refused_for_computed_records(admin_client, model):
    response = admin_client.get(add_url(model))

    assert response.status_code == 403


@pytest.mark.parametrize("model", REGISTERED)
def test_change_page_opens(admin_client, issued_invoice, model):
    obj = model.objects.first()

    response = admin_client.get(change_url(obj))

    assert response.status_code == 200


def test_draft_invoice_change_page_opens(admin_client, draft_invoice):
    response = admin_client.get(change_url(draft_invoice))

    assert response.status_code == 200
    assert "Draft house_1 2026-01" in response.text


def test_changelists_search_and_filter(admin_client, issued_invoice):
    house = issued_invoice.house

    responses = [
        admin_client.get(changelist(MeterReading), {"house__id__exact": house.pk}),
        admin_client.get(changelist(MeterReading), {"q": "house_1", "interval_start__year": "2026"}),
        admin_client.get(
            changelist(Invoice), {"period__id__exact": issued_invoice.period_id, "status__exact": "pending"}
        ),
        admin_client.get(changelist(Invoice), {"house__id__exact": house.pk, "q": "INV-2026"}),
        admin_client.get(changelist(House), {"community__id__exact": house.community_id}),
    ]

    assert [response.status_code for response in responses] == [200] * 5
    assert all(response.context["cl"].result_count == 1 for response in responses)


# Links and formatting on the pages


def test_community_list_links_to_its_houses_with_a_count(admin_client, community):
    HouseFactory.create_batch(2, community=community)

    response = admin_client.get(changelist(Community))

    assert f'{changelist(House)}?community__id__exact={community.pk}">2 houses</a>' in response.text


def test_house_list_links_to_its_readings_and_invoices(admin_client, issued_invoice):
    house = issued_invoice.house

    response = admin_client.get(changelist(House))

    assert f'{changelist(MeterReading)}?house__id__exact={house.pk}"' in response.text
    assert f'{changelist(Invoice)}?house__id__exact={house.pk}">1 invoice</a>' in response.text


def test_period_list_links_to_its_invoices_counted_by_status(admin_client, issued_invoice):
    period = issued_invoice.period

    response = admin_client.get(changelist(SettlementPeriod))

    assert f'{changelist(Invoice)}?period__id__exact={period.pk}">1 invoice</a>: ' in response.text
    assert f'?period__id__exact={period.pk}&amp;status__exact=pending">1 pending (issued)</a>' in response.text


def test_invoice_page_links_house_and_period_and_shows_euros_and_kwh(admin_client, issued_invoice):
    response = admin_client.get(change_url(issued_invoice))

    assert change_url(issued_invoice.house) in response.text
    assert change_url(issued_invoice.period) in response.text
    # The spec's example: 450.5 kWh x 20 ct - 120.3 kWh x 25 ct = 6002.5 ct.
    assert "€60.03" in response.text
    assert "450.500\u00a0kWh" in response.text
    assert "€90.10" in response.text  # the line's export revenue


def test_reading_list_shows_kwh_with_three_decimals(admin_client, billable):
    response = admin_client.get(changelist(MeterReading))

    assert "450.500\u00a0kWh" in response.text
    assert "120.300\u00a0kWh" in response.text


# Anonymous and unprivileged users


@pytest.mark.parametrize("model", [Community, House, MeterReading, Tariff, SettlementPeriod, Invoice])
def test_anonymous_user_is_sent_to_the_login_page(client, model):
    url = changelist(model)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('admin:login')}?next={url}"


@pytest.mark.parametrize("model", [Community, House, MeterReading, Tariff, SettlementPeriod, Invoice])
def test_staff_without_permissions_is_refused(staff_client, model):
    response = staff_client.get(changelist(model))

    assert response.status_code == 403


def test_period_actions_need_the_right_to_change_invoices(staff_client, billable):
    _, period = billable
    grant(staff_client.user, "view_settlementperiod", "change_settlementperiod")

    page = staff_client.get(changelist(SettlementPeriod))
    post_action(staff_client, "generate_draft_invoices", [period], confirm=True)

    assert offered_actions(page) == []
    assert not Invoice.objects.exists()


def test_period_actions_are_offered_to_staff_who_may_change_invoices(staff_client, billable):
    _, period = billable
    grant(staff_client.user, "view_settlementperiod", "change_invoice")

    page = staff_client.get(changelist(SettlementPeriod))
    post_action(staff_client, "generate_draft_invoices", [period], confirm=True)

    assert offered_actions(page) == ["generate_draft_invoices", "issue_invoices", "retry_statement_pdf"]
    assert Invoice.objects.filter(period=period, status=Invoice.Status.DRAFT).count() == 1


def test_closing_is_offered_to_staff_who_may_close_periods(staff_client, billable):
    grant(staff_client.user, "view_settlementperiod", "close_period")

    page = staff_client.get(changelist(SettlementPeriod))

    assert offered_actions(page) == ["close_periods", "resume_closing"]


# Big change lists


def test_reading_list_queries_do_not_grow_with_readings(admin_client, community, django_assert_max_num_queries):
    houses = HouseFactory.create_batch(5, community=community)
    for house in houses:
        add_readings(house, JANUARY, [("1.0", "0.5")] * 10)
    assert MeterReading.objects.count() == 50

    # session, user, result page, the community filter, the date hierarchy, and the count
    with django_assert_max_num_queries(8):
        response = admin_client.get(changelist(MeterReading))

    assert response.status_code == 200


def test_invoice_and_period_lists_query_counts_do_not_grow_with_rows(
    admin_client, community, django_assert_max_num_queries
):
    TariffFactory(community=community)
    HouseFactory.create_batch(10, community=community)
    for month in ("2026-01", "2026-02", "2026-03"):
        services.invoices_issue(
            period=services.period_get_or_create(community=community, month=month),
            force=True,
            reason="test data has gaps",
        )
    assert Invoice.objects.count() == 30

    with django_assert_max_num_queries(10):
        assert admin_client.get(changelist(Invoice)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(changelist(SettlementPeriod)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(changelist(House)).status_code == 200
