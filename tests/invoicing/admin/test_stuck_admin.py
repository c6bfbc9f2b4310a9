"""Stuck work in the admin: shown on the period's page and the admin index, with "Resume"."""

import datetime as dt

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities.models import Community
from invoicing import services
from invoicing.models import PdfState, SettlementPeriod
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
    member_of,
)

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
INDEX = reverse("admin:index")


@pytest.fixture
def stuck(django_capture_on_commit_callbacks):
    """January's close started at 10:00 on 10 February; its tasks were lost with the cluster."""
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    add_readings(HouseFactory(community=community, house_id="house_1"), JANUARY, [("0.5", "0.25")] * 2976)
    period = SettlementPeriodFactory(community=community)
    with (
        time_machine.travel(dt.datetime(2026, 2, 10, 10, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        services.period_close_start(period=period)
    return period


@pytest.fixture
def later():
    """Eleven minutes after the close started: one minute past LEG_STUCK_AFTER_MINUTES."""
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 11, tzinfo=dt.UTC), tick=False):
        yield


def staff(client, django_user_model, *codenames):
    """Logged in as staff of the stuck period's community ("sonnenfeld") with these permissions."""
    user = django_user_model.objects.create_user(username="clerk", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    member_of(user, Community.objects.get(slug="sonnenfeld"))
    client.force_login(user)
    return client


def test_period_page_shows_the_stuck_close_and_resumes_it(
    admin_client, stuck, later, django_capture_on_commit_callbacks
):
    url = reverse("admin:invoicing_settlementperiod_change", args=[stuck.pk])

    page = admin_client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = admin_client.post(url, {"CHANGE_FORM-action": "resume_closing", ACTION_CHECKBOX_NAME: [stuck.pk]})

    assert "Close without progress since 2026-02-10 11:00 CET." in page.text
    assert '<option value="resume_closing">' in page.text
    assert resumed.status_code == 302
    stuck.refresh_from_db()
    assert stuck.status == SettlementPeriod.Status.CLOSED
    assert stuck.invoices.get().pdf_state == PdfState.RENDERED


def test_period_page_shows_nothing_stuck_before_the_threshold(admin_client, stuck):
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 9, tzinfo=dt.UTC), tick=False):
        page = admin_client.get(reverse("admin:invoicing_settlementperiod_change", args=[stuck.pk]))

    assert "without progress" not in page.text


def test_admin_index_lists_stuck_work_and_its_resume_button_runs_the_action(
    admin_client, stuck, later, django_capture_on_commit_callbacks
):
    index = admin_client.get(INDEX)
    with django_capture_on_commit_callbacks(execute=True):
        resumed = admin_client.post(
            reverse("admin:invoicing_settlementperiod_changelist"),
            {"action": "resume_closing", ACTION_CHECKBOX_NAME: [stuck.pk]},
            follow=True,
        )

    assert "Stuck work" in index.text and "Close without progress since 2026-02-10 11:00 CET" in index.text
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{stuck.pk}"' in index.text
    assert 'name="action" value="resume_closing"' in index.text
    assert f"{stuck}: the close continues; 0 PDFs queued again." in resumed.text
    stuck.refresh_from_db()
    assert stuck.status == SettlementPeriod.Status.CLOSED


def test_admin_index_shows_no_panel_when_nothing_is_stuck(admin_client, stuck):
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, 5, tzinfo=dt.UTC), tick=False):
        index = admin_client.get(INDEX)

    assert "Stuck work" not in index.text


def test_admin_index_offers_resume_only_to_staff_who_may_close_periods(client, django_user_model, stuck, later):
    viewer = staff(client, django_user_model, "view_settlementperiod").get(INDEX)

    assert "Stuck work" in viewer.text and 'value="resume_closing"' not in viewer.text


def test_admin_index_hides_stuck_work_from_staff_who_may_not_see_periods(client, django_user_model, stuck, later):
    assert "Stuck work" not in staff(client, django_user_model).get(INDEX).text


def test_admin_index_hides_another_communitys_stuck_work(client, django_user_model, stuck, later):
    user = django_user_model.objects.create_user(username="windpark-clerk", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_settlementperiod", "close_period"]))
    member_of(user, CommunityFactory(slug="windpark"))
    client.force_login(user)

    assert "Stuck work" not in client.get(INDEX).text
