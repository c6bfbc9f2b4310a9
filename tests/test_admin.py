"""The back-office: every page opens, permissions hold, actions confirm and then call services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities.models import Community, House
from invoicing import services
from invoicing.models import Invoice, InvoiceLine, InvoiceNumberCounter, SettlementPeriod, Tariff
from metering.models import MeterReading
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
)

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
REGISTERED = [Community, House, MeterReading, Tariff, SettlementPeriod, Invoice, InvoiceNumberCounter]

pytestmark = pytest.mark.django_db


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
    services.invoices_issue(period=period)
    return Invoice.objects.get(period=period)


@pytest.fixture
def draft_invoice(billable):
    _, period = billable
    services.invoices_generate(period=period)
    return Invoice.objects.get(period=period)


@pytest.fixture
def staff_client(client, django_user_model):
    """Logged in as staff with no permissions at all."""
    user = django_user_model.objects.create_user(username="clerk", password="secret", is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def offered_actions(response):
    action_form = response.context["action_form"]
    return [] if action_form is None else [name for name, _ in action_form.fields["action"].choices if name]


def post_action(client, action, periods, *, confirm):
    data = {"action": action, ACTION_CHECKBOX_NAME: [period.pk for period in periods]}
    if confirm:
        data["post"] = "yes"
    else:
        data["index"] = "0"  # the change list's action bar sends its index
    return client.post(changelist(SettlementPeriod), data)


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
    assert "60.03 EUR" in response.text
    assert "450.500 kWh" in response.text
    assert "90.10 EUR" in response.text  # the line's export revenue


def test_reading_list_shows_kwh_with_three_decimals(admin_client, billable):
    response = admin_client.get(changelist(MeterReading))

    assert "450.500 kWh" in response.text
    assert "120.300 kWh" in response.text


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

    assert offered_actions(page) == [
        "generate_draft_invoices",
        "issue_invoices",
        "close_periods",
        "resume_closing",
        "retry_statement_pdf",
    ]
    assert Invoice.objects.filter(period=period, status=Invoice.Status.DRAFT).count() == 1


# Settlement periods


def test_adding_a_period_computes_its_bounds_in_the_community_zone(admin_client):
    community = CommunityFactory(time_zone="Europe/Berlin")

    response = admin_client.post(add_url(SettlementPeriod), {"community": community.pk, "month": "2026-03"})

    assert response.status_code == 302
    period = SettlementPeriod.objects.get(community=community)
    assert period.start == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    assert period.status == SettlementPeriod.Status.OPEN


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "January"])
def test_adding_a_period_refuses_a_malformed_month(admin_client, community, month):
    response = admin_client.post(add_url(SettlementPeriod), {"community": community.pk, "month": month})

    assert response.status_code == 200
    assert "is not of the form YYYY-MM" in response.text
    assert not SettlementPeriod.objects.exists()


def test_adding_a_period_twice_is_refused(admin_client, billable):
    _, period = billable

    response = admin_client.post(add_url(SettlementPeriod), {"community": period.community_id, "month": "2026-01"})

    assert response.status_code == 200
    assert SettlementPeriod.objects.count() == 1


def test_generate_action_shows_a_confirmation_page_first(admin_client, billable):
    _, period = billable

    response = post_action(admin_client, "generate_draft_invoices", [period], confirm=False)

    assert response.status_code == 200
    assert "admin/invoicing/settlementperiod/confirm_action.html" in [t.name for t in response.templates]
    assert str(period) in response.text
    assert 'name="action" value="generate_draft_invoices"' in response.text
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{period.pk}"' in response.text
    assert 'name="post" value="yes"' in response.text
    assert not Invoice.objects.exists()


def test_generate_action_creates_drafts_on_confirm(admin_client, billable):
    house, period = billable

    response = post_action(admin_client, "generate_draft_invoices", [period], confirm=True)

    assert response.status_code == 302
    invoice = Invoice.objects.get(period=period)
    assert (invoice.house, invoice.status, invoice.number) == (house, Invoice.Status.DRAFT, None)
    assert invoice.net_amount_ct == Decimal("6002.5")
    reported = [str(message) for message in messages.get_messages(response.wsgi_request)]
    assert reported == [
        f"{period}: 1 created, 0 updated, 0 unchanged, 0 removed (house no longer active), 0 already issued"
    ]


def test_issue_action_shows_a_confirmation_page_first(admin_client, billable):
    _, period = billable

    response = post_action(admin_client, "issue_invoices", [period], confirm=False)

    assert response.status_code == 200
    assert 'name="action" value="issue_invoices"' in response.text
    assert not Invoice.objects.exists()


def test_issue_action_numbers_invoices_on_confirm(admin_client, billable, admin_user):
    _, period = billable

    response = post_action(admin_client, "issue_invoices", [period], confirm=True)

    assert response.status_code == 302
    invoice = Invoice.objects.get(period=period)
    assert invoice.number == "INV-2026-001"
    assert (invoice.status, invoice.issued_by) == (Invoice.Status.PENDING, admin_user)
    reported = [str(message) for message in messages.get_messages(response.wsgi_request)]
    assert reported == [f"{period}: Issued 1 invoices: INV-2026-001 to INV-2026-001."]


def test_issue_action_runs_from_the_period_page_after_confirmation(admin_client, billable):
    _, period = billable
    url = change_url(period)
    data = {"CHANGE_FORM-action": "issue_invoices", ACTION_CHECKBOX_NAME: [period.pk]}

    page = admin_client.get(url)
    confirmation = admin_client.post(url, data)
    confirmed = admin_client.post(url, {**data, "post": "yes"})

    assert '<option value="issue_invoices">Issue invoices</option>' in page.text
    assert 'name="CHANGE_FORM-action" value="issue_invoices"' in confirmation.text
    assert confirmed.status_code == 302
    assert confirmed.url == url
    assert Invoice.objects.get(period=period).number == "INV-2026-001"


def test_action_reports_a_refused_period_as_an_error_and_runs_the_others(admin_client, billable, community):
    _, period = billable
    closed = SettlementPeriodFactory(
        community=community,
        month="2025-12",
        start=dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
        end=JANUARY,
        status=SettlementPeriod.Status.CLOSED,
    )

    response = post_action(admin_client, "issue_invoices", [period, closed], confirm=True)

    reported = {message.level: str(message) for message in messages.get_messages(response.wsgi_request)}
    assert "closed; its invoices are final" in reported[messages.ERROR]
    assert Invoice.objects.get(period=period).number == "INV-2026-001"
    assert not Invoice.objects.filter(period=closed).exists()


def test_generate_action_reports_a_missing_tariff_as_an_error(admin_client):
    period = SettlementPeriodFactory()
    HouseFactory(community=period.community)

    response = post_action(admin_client, "generate_draft_invoices", [period], confirm=True)

    [message] = messages.get_messages(response.wsgi_request)
    assert message.level == messages.ERROR
    assert "No tariff is in force" in str(message)


# Invoices are never typed in


def test_issued_invoice_page_has_no_editable_fields(admin_client, issued_invoice):
    response = admin_client.get(change_url(issued_invoice))

    assert response.context["adminform"].form.fields == {}
    for field in ("net_amount_ct", "export_revenue_ct", "energy_exported_kwh", "number", "status"):
        assert f'name="{field}"' not in response.text
    assert 'name="_save"' not in response.text


def test_issued_invoice_cannot_be_changed_by_post(admin_client, issued_invoice):
    response = admin_client.post(change_url(issued_invoice), {"net_amount_ct": "0", "status": "paid"})

    assert response.status_code == 403
    issued_invoice.refresh_from_db()
    assert (issued_invoice.net_amount_ct, issued_invoice.status) == (Decimal("6002.5"), Invoice.Status.PENDING)


def test_issued_invoice_cannot_be_deleted(admin_client, issued_invoice):
    url = reverse("admin:invoicing_invoice_delete", args=[issued_invoice.pk])

    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=issued_invoice.pk).exists()


def test_invoice_list_has_no_bulk_delete(admin_client, issued_invoice):
    response = admin_client.get(changelist(Invoice))
    bulk = admin_client.post(
        changelist(Invoice), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [issued_invoice.pk], "post": "yes"}
    )

    assert "delete_selected" not in offered_actions(response)
    assert bulk.status_code in (200, 302)
    assert Invoice.objects.filter(pk=issued_invoice.pk).exists()


def test_draft_invoice_page_is_view_only_but_deletable(admin_client, draft_invoice):
    response = admin_client.get(change_url(draft_invoice))
    delete = admin_client.post(reverse("admin:invoicing_invoice_delete", args=[draft_invoice.pk]), {"post": "yes"})

    assert response.context["adminform"].form.fields == {}
    assert delete.status_code == 302
    assert not Invoice.objects.exists()
    assert not InvoiceLine.objects.exists()


def test_invoice_lines_are_shown_read_only(admin_client, issued_invoice):
    response = admin_client.get(change_url(issued_invoice))

    [inline] = response.context["inline_admin_formsets"]
    assert inline.has_add_permission is False
    assert inline.has_change_permission is False
    assert inline.has_delete_permission is False
    assert len(inline.formset.forms) == 1


def test_tariff_prices_are_frozen_once_an_issued_invoice_used_them(admin_client, issued_invoice):
    tariff = Tariff.objects.get()

    response = admin_client.get(change_url(tariff))

    assert response.context["adminform"].form.fields == {}


def test_invoice_number_counter_is_read_only(admin_client, issued_invoice):
    counter = InvoiceNumberCounter.objects.get()

    response = admin_client.post(change_url(counter), {"last_number": "0"})

    assert response.status_code == 403
    counter.refresh_from_db()
    assert counter.last_number == 1


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
        services.invoices_issue(period=services.period_get_or_create(community=community, month=month))
    assert Invoice.objects.count() == 30

    with django_assert_max_num_queries(10):
        assert admin_client.get(changelist(Invoice)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(changelist(SettlementPeriod)).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_client.get(changelist(House)).status_code == 200
