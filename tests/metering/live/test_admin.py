"""The live feed's admin pages: meters with their counts, the silent filter, events, unknown meters."""

import datetime as dt

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from metering.models import LiveMeterState, MeterEvent, MeterReading, UnknownMeter
from tests.factories import CommunityFactory, HouseFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def live_meter(house_id: str, *, received_at=NOW, community=None) -> LiveMeterState:
    house = HouseFactory(community=community or CommunityFactory(slug="sonnenfeld"), house_id=house_id)
    return LiveMeterState.objects.create(
        house=house,
        last_message_at=received_at,
        ei_kwh="1234.5678",
        eo_kwh="456.789",
        open_start=received_at,
        messages=12,
        received_at=received_at,
    )


def reading(house, start, *, estimated):
    return MeterReading(house=house, interval_start=start, imported_wh=1, exported_wh=0, estimated=estimated)


def test_the_live_meter_list_shows_registers_and_estimates_this_month(admin_client):
    state = live_meter("house_1")
    MeterReading.objects.bulk_create(
        [
            reading(state.house, dt.datetime(2026, 2, 28, 23, 45, tzinfo=dt.UTC), estimated=True),  # last month
            reading(state.house, dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), estimated=True),
            reading(state.house, dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC), estimated=True),
            reading(state.house, dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC), estimated=False),
        ]
    )

    response = admin_client.get(reverse("admin:metering_livemeterstate_changelist"))

    assert response.status_code == 200
    row = response.context["cl"].result_list[0]
    assert (row.estimated_this_month, row.open_events) == (2, 0)
    assert "1234.567800" in response.content.decode()


def test_meters_silent_for_an_hour_are_filtered(admin_client):
    community = CommunityFactory(slug="sonnenfeld")
    live_meter("talking", community=community)
    live_meter("silent", received_at=NOW - dt.timedelta(minutes=61), community=community)

    response = admin_client.get(
        reverse("admin:metering_livemeterstate_changelist"),
        {"silent": "yes", "house__community__id__exact": community.pk},
    )

    assert [state.house.house_id for state in response.context["cl"].result_list] == ["silent"]


def test_open_events_are_counted_and_resolved_by_an_action(admin_client):
    state = live_meter("house_1")
    event = MeterEvent.objects.create(house=state.house, at=NOW, kind=MeterEvent.Kind.WENT_BACK)

    listed = admin_client.get(reverse("admin:metering_livemeterstate_changelist"))
    admin_client.post(
        reverse("admin:metering_meterevent_changelist"), {"action": "mark_resolved", "_selected_action": [event.pk]}
    )

    assert listed.context["cl"].result_list[0].open_events == 1
    event.refresh_from_db()
    assert event.resolved


def test_unknown_meters_are_listed(admin_client):
    UnknownMeter.objects.create(key="1ESY999", topic="tele/x/SENSOR", messages=4, first_seen=NOW, last_seen=NOW)

    response = admin_client.get(reverse("admin:metering_unknownmeter_changelist"))

    assert "1ESY999" in response.content.decode()


def test_the_readings_list_filters_estimated_readings(admin_client):
    state = live_meter("house_1")
    MeterReading.objects.bulk_create(
        [
            reading(state.house, dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), estimated=True),
            reading(state.house, dt.datetime(2026, 3, 2, 10, 15, tzinfo=dt.UTC), estimated=False),
        ]
    )

    response = admin_client.get(reverse("admin:metering_meterreading_changelist"), {"estimated__exact": "1"})

    assert len(response.context["cl"].result_list) == 1


@pytest.mark.parametrize("model", [LiveMeterState, MeterEvent])
def test_new_admins_name_their_community_field(model):
    assert hasattr(admin.site._registry[model], "community_field")
