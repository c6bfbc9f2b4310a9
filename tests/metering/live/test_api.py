"""The HTTP push API: per-meter bearer tokens, nothing written on a wrong one, the same storing as MQTT."""

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import override_settings

from metering.live.tokens import meter_token_issue
from metering.models import LiveMeterState, MeterReading, MeterToken
from tests.factories import CommunityFactory, HouseFactory

pytestmark = pytest.mark.django_db

URL = "/api/meters/1ESY1/readings"
FIRST = {"Time": "2026-03-02T10:00:00", "SML": {"Ei": 1.0, "Eo": 0.5}}
SECOND = {"Time": "2026-03-02T10:15:00", "SML": {"Ei": 1.2345, "Eo": 0.5, "SMid": "1ESY1"}}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()


@pytest.fixture
def house():
    return HouseFactory(community=CommunityFactory(slug="sonnenfeld"), house_id="house_1", meter_id="1ESY1")


@pytest.fixture
def token(house):
    return meter_token_issue(house=house)


def post(client, body, token, url=URL):
    return client.post(
        url, json.dumps(body), content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


def test_a_list_of_messages_becomes_readings(client, house, token):
    response = post(client, [FIRST, SECOND], token)

    assert response.status_code == 200
    assert response.json()["readings_written"] == 1
    assert MeterReading.objects.get(house=house).imported_wh == 234


def test_one_message_at_a_time_is_accepted(client, house, token):
    post(client, FIRST, token)
    response = post(client, SECOND, token)

    assert response.json()["outcomes"] == {"stored": 1}


def test_a_wrong_token_gets_401_and_writes_nothing(client, house, token):
    response = post(client, [FIRST, SECOND], "not-the-token")

    assert response.status_code == 401
    assert not LiveMeterState.objects.exists() and not MeterReading.objects.exists()


def test_another_meters_token_gets_403_and_writes_nothing(client, house, token):
    other = HouseFactory(community=house.community, house_id="house_2", meter_id="1ESY2")

    response = post(client, [FIRST, SECOND], token, url="/api/meters/1ESY2/readings")

    assert response.status_code == 403
    assert not LiveMeterState.objects.filter(house__in=[house, other]).exists()


def test_a_rotated_token_no_longer_works(client, house, token):
    meter_token_issue(house=house)

    assert post(client, FIRST, token).status_code == 401


def test_only_the_hash_is_stored(house, token):
    assert token not in json.dumps(list(MeterToken.objects.values("token_sha256", "hint")))


def test_a_broken_message_refuses_the_whole_request(client, house, token):
    response = post(client, [FIRST, {"SML": {"Ei": 1}}], token)

    assert response.status_code == 400
    assert not LiveMeterState.objects.exists()


def test_a_message_of_another_meter_id_is_refused(client, house, token):
    response = post(client, {"SML": {"Ei": 1, "Eo": 0, "SMid": "1ESY2"}}, token)

    assert response.status_code == 400


@override_settings(LEG_API_RATE="60/m")
def test_requests_are_rate_limited_per_token(client, house, token):
    statuses = {post(client, FIRST, token).status_code for _ in range(61)}

    assert statuses == {200, 429}


def test_the_openapi_schema_describes_the_endpoint(client):
    schema = client.get("/api/openapi.json").json()

    assert "/api/meters/{meter_id}/readings" in schema["paths"]


def test_healthz_answers_when_the_database_answers(client, settings):
    settings.LEG_HEALTHZ_BROKER = False

    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"database": "ok"})


def test_healthz_fails_when_the_broker_is_unreachable(client, settings):
    settings.LEG_HEALTHZ_BROKER = True
    settings.LEG_MQTT_URL = "mqtt://127.0.0.1:1"

    response = client.get("/healthz")

    assert response.status_code == 503 and response.json()["broker"] == "unreachable"


def test_staff_issue_a_token_and_see_it_once(admin_client, house):
    response = admin_client.post("/admin/metering/metertoken/add/", {"house": house.pk}, follow=True)

    shown = " ".join(str(m) for m in response.context["messages"])
    assert "Copy it now" in shown
    clear = shown.split(": ")[1].split(".")[0]
    assert MeterToken.objects.get().hint == clear[:6]


def test_staff_rotate_a_token(admin_client, house, token):
    stored = MeterToken.objects.get()

    admin_client.post("/admin/metering/metertoken/", {"action": "rotate", "_selected_action": [stored.pk]})

    assert MeterToken.objects.get().token_sha256 != stored.token_sha256


def test_readings_time_defaults_to_arrival(client, house, token):
    now = dt.datetime.now(dt.UTC)
    post(client, {"SML": {"Ei": 1, "Eo": 0}}, token)

    assert LiveMeterState.objects.get().last_message_at >= now - dt.timedelta(seconds=1)
