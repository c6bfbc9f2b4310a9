"""Settlement periods in the admin: bounds in the community's zone, actions that confirm and then call services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from invoicing.models import Invoice, InvoiceNumberCounter, SettlementPeriod
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
)

from .helpers import JANUARY, add_url, change_url, grant, post_action

pytestmark = pytest.mark.django_db

# The billable month has one reading: issuing it is a forced issue.
FORCED = {"force": "on", "reason": "One reading in the test month"}


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

    response = post_action(admin_client, "issue_invoices", [period], confirm=True, **FORCED)

    assert response.status_code == 302
    invoice = Invoice.objects.get(period=period)
    assert invoice.number == "INV-2026-001"
    assert (invoice.status, invoice.issued_by) == (Invoice.Status.PENDING, admin_user)
    reported = [str(message) for message in messages.get_messages(response.wsgi_request)]
    assert reported == [f"{period}: Issued 1 invoice (forced despite gaps): INV-2026-001 to INV-2026-001."]


def test_issue_action_runs_from_the_period_page_after_confirmation(admin_client, billable):
    _, period = billable
    url = change_url(period)
    data = {"CHANGE_FORM-action": "issue_invoices", ACTION_CHECKBOX_NAME: [period.pk]}

    page = admin_client.get(url)
    confirmation = admin_client.post(url, data)
    confirmed = admin_client.post(url, {**data, "post": "yes", **FORCED})

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

    response = post_action(admin_client, "issue_invoices", [period, closed], confirm=True, **FORCED)

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


# Issuing behind the close's gate


def reported_errors(response):
    return [str(m) for m in messages.get_messages(response.wsgi_request) if m.level == messages.ERROR]


def test_issue_with_gaps_is_refused_without_force_and_takes_no_number(admin_client, billable):
    _, period = billable

    response = post_action(admin_client, "issue_invoices", [period], confirm=True)

    assert "is incomplete" in reported_errors(response)[0]
    assert "force the issue with a written reason" in reported_errors(response)[0]
    assert not Invoice.objects.exists() and not InvoiceNumberCounter.objects.exists()


def test_issue_of_a_month_that_has_not_ended_is_refused_even_forced(admin_client, billable):
    _, period = billable

    with time_machine.travel(dt.datetime(2026, 1, 31, 22, tzinfo=dt.UTC), tick=False):
        page = post_action(admin_client, "issue_invoices", [period], confirm=False)
        response = post_action(admin_client, "issue_invoices", [period], confirm=True, **FORCED)

    assert "Its invoices can be issued from 2026-02-01 00:00 (UTC)" in page.text
    assert reported_errors(response) == [
        f"{period}: Period {period} has not ended yet: its invoices can be issued from 2026-02-01 00:00 (UTC), "
        "after its last day."
    ]
    assert not Invoice.objects.exists()


def test_issue_page_offers_force_only_to_users_with_the_force_permission(staff_client, billable):
    _, period = billable
    grant(staff_client.user, "view_settlementperiod", "change_invoice")

    without = post_action(staff_client, "issue_invoices", [period], confirm=False)
    grant(staff_client.user, "force_period")
    with_permission = post_action(staff_client, "issue_invoices", [period], confirm=False)

    assert 'name="force"' not in without.text and "You do not have it" in without.text
    assert 'name="force"' in with_permission.text and 'name="reason"' in with_permission.text


def test_forced_issue_by_a_user_without_the_permission_is_refused(staff_client, billable):
    _, period = billable
    grant(staff_client.user, "view_settlementperiod", "change_invoice")

    response = post_action(staff_client, "issue_invoices", [period], confirm=True, **FORCED)

    assert "is incomplete" in reported_errors(response)[0]
    assert not Invoice.objects.exists()


def test_forced_issue_needs_a_reason_on_the_page(admin_client, billable):
    _, period = billable

    response = post_action(admin_client, "issue_invoices", [period], confirm=True, force="on", reason=" ")

    assert response.status_code == 200 and "A forced issue needs a written reason." in response.text
    assert not Invoice.objects.exists()
