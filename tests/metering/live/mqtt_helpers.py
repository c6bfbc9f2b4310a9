"""A real MQTT broker for the live-feed tests: LEG_TEST_MQTT_URL, default mqtt://127.0.0.1:1883.

Without one the tests are skipped (a laptop); CI sets LEG_TEST_MQTT_REQUIRED=1 so they fail instead.
Every test has its own topic prefix and client id, and drops its broker session at the end.
"""

import os
import socket
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest

from metering.live.mqtt import Ingester, broker_from_url, connect_properties, make_client

BROKER_URL = os.environ.get("LEG_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def broker_or_skip():
    broker = broker_from_url(BROKER_URL)
    try:
        socket.create_connection((broker.host, broker.port), timeout=2).close()
    except OSError:
        reason = f"No MQTT broker answers at {BROKER_URL} (set LEG_TEST_MQTT_URL, or start `mosquitto -p PORT -d`)."
        if os.environ.get("LEG_TEST_MQTT_REQUIRED"):
            pytest.fail(reason)
        pytest.skip(reason)
    return broker


class Feed:
    """One test's topic prefix, client id and helpers."""

    def __init__(self, broker):
        self.broker = broker
        self.prefix = f"legtest-{uuid.uuid4().hex[:12]}"
        self.client_id = f"{self.prefix}-ingest"

    def ingester(self) -> Ingester:
        return Ingester(
            broker=self.broker,
            topic=f"{self.prefix}/+/SENSOR",
            client_id=self.client_id,
            flush_seconds=0.1,
            session_expiry_s=120,
        )

    def start_session(self) -> None:
        """Connect once and subscribe, so the broker keeps our messages from now on, then go away."""
        ingester = self.ingester()
        deadline = time.monotonic() + 10
        ingester.run(until=lambda: ingester.subscribed.is_set() or time.monotonic() > deadline)
        assert ingester.subscribed.is_set(), "the broker did not confirm the subscription"

    def publish(self, device: str, payloads: list[str]) -> None:
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.connect(self.broker.host, self.broker.port)
        client.loop_start()
        for text in payloads:
            client.publish(f"{self.prefix}/{device}/SENSOR", text, qos=1).wait_for_publish(timeout=10)
        client.disconnect()
        client.loop_stop()

    def topic(self, device: str) -> str:
        return f"{self.prefix}/{device}/SENSOR"

    def publish_burst(self, messages: list[tuple[str, str]]) -> None:
        """(topic, payload) pairs, without waiting for each acknowledgement (as fast as a publisher goes)."""
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.max_inflight_messages_set(1000)
        client.connect(self.broker.host, self.broker.port)
        client.loop_start()
        infos = [client.publish(topic, text, qos=1) for topic, text in messages]
        infos[-1].wait_for_publish(timeout=60)
        client.disconnect()
        client.loop_stop()

    def ingest_while_publishing(self, messages: list[tuple[str, str]], *, hold_first_batch: bool = False):
        """An ingester stores ``messages`` while they are published; with ``hold_first_batch`` its
        first store waits for the whole burst, so the broker must hold them all unacknowledged."""
        ingester = self.ingester()
        published = threading.Event()
        if hold_first_batch:
            store = ingester._flush
            ingester._flush = lambda batch: (published.wait(120), store(batch))

        def publish_when_subscribed():
            ingester.subscribed.wait(10)
            self.publish_burst(messages)
            published.set()

        threading.Thread(target=publish_when_subscribed, daemon=True).start()
        deadline = time.monotonic() + 120
        return ingester.run(until=lambda: ingester.totals["messages"] >= len(messages) or time.monotonic() > deadline)

    def receive(self, count: int, timeout: float = 20):
        """A fresh ingester (a restart) that runs until it has stored ``count`` messages."""
        ingester = self.ingester()
        deadline = time.monotonic() + timeout
        return ingester.run(until=lambda: ingester.totals["messages"] >= count or time.monotonic() > deadline)

    def end_session(self) -> None:
        client = make_client(self.broker, self.client_id)
        client.connect(self.broker.host, self.broker.port, clean_start=True, properties=connect_properties(0))
        client.loop_start()
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()


@pytest.fixture
def feed():
    feed = Feed(broker_or_skip())
    yield feed
    feed.end_session()
