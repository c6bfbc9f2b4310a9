"""Times shown to staff are in the site's zone (TIME_ZONE, Europe/Berlin by default), never raw UTC."""

import datetime as dt

import pytest
from django.urls import reverse

from invoicing.models import LifecycleEvent, SettlementPeriod
from tests.factories import CommunityFactory, SettlementPeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_at_half_past_two_utc():
    return SettlementPeriodFactory(
        community=CommunityFactory(),
        status=SettlementPeriod.Status.CLOSED,
        closed_at=dt.datetime(2026, 2, 3, 2, 30, tzinfo=dt.UTC),
    )


def test_the_period_page_says_when_it_closed_in_berlin_time(admin_client, closed_at_half_past_two_utc):
    response = admin_client.get(
        reverse("admin:invoicing_settlementperiod_change", args=[closed_at_half_past_two_utc.pk])
    )

    assert "Closed 2026-02-03 03:30 CET." in response.text
    assert "UTC." not in response.text


def test_the_period_page_shows_its_creation_time_in_berlin_time(admin_client, closed_at_half_past_two_utc):
    SettlementPeriod.objects.update(created_at=dt.datetime(2026, 7, 1, 22, 15, tzinfo=dt.UTC))

    response = admin_client.get(
        reverse("admin:invoicing_settlementperiod_change", args=[closed_at_half_past_two_utc.pk])
    )

    assert "July 2, 2026, 12:15 a.m." in response.text


def test_the_period_history_shows_each_event_in_berlin_time(admin_client, closed_at_half_past_two_utc):
    LifecycleEvent.objects.create(
        period=closed_at_half_past_two_utc,
        what="Closed",
        from_status="closing",
        to_status="closed",
        actor_name="schedule",
        at=dt.datetime(2026, 2, 3, 2, 30, 5, tzinfo=dt.UTC),
    )

    response = admin_client.get(
        reverse("admin:invoicing_settlementperiod_change", args=[closed_at_half_past_two_utc.pk])
    )

    assert "<td>2026-02-03 03:30:05 CET</td>" in response.text
