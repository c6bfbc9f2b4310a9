"""The two commands against the real broker: simulate_meters feeds ingest_meters; SIGTERM stops it."""

import os
import signal
import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command

from metering.models import LiveMeterState
from tests.factories import CommunityFactory, HouseFactory
from tests.metering.live.mqtt_helpers import BROKER_URL, feed  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_simulated_meters_are_ingested(feed):  # noqa: F811
    community = CommunityFactory(slug="sim", time_zone="Europe/Berlin")
    houses = [HouseFactory(community=community, house_id=f"house_{n}") for n in (1, 2)]
    feed.start_session()

    call_command(
        "simulate_meters", "--community=sim", f"--url={BROKER_URL}", f"--prefix={feed.prefix}", "--count=7",
        "--every=300", "--start=2026-06-01T08:00:00", "--fast", stdout=StringIO(),
    )  # fmt: skip
    feed.receive(14)

    assert sorted(LiveMeterState.objects.values_list("house", "messages")) == [(h.pk, 7) for h in houses]


def test_ingest_meters_stops_cleanly_on_sigterm(feed):  # noqa: F811
    out = StringIO()
    timer = threading.Timer(1.5, os.kill, (os.getpid(), signal.SIGTERM))
    before = signal.getsignal(signal.SIGTERM)
    timer.start()
    started = time.monotonic()

    call_command("ingest_meters", url=BROKER_URL, topic=f"{feed.prefix}/+/SENSOR", client_id=feed.client_id, stdout=out)

    assert "Stopped" in out.getvalue()
    assert time.monotonic() - started < 10
    assert signal.getsignal(signal.SIGTERM) is before
