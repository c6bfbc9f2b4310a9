"""The MQTT side of the live feed, on paho-mqtt: a persistent MQTT 5 session, QoS 1, manual acks.

A message is acknowledged to the broker only after the batch holding it is committed, so a crash
loses nothing: the broker sends unacknowledged messages again, and the apportioning ignores what
it has already seen. The session outlives the process (clean start off, a session expiry), so
messages published while the ingester is down wait in the broker until it comes back.
"""

import datetime as dt
import logging
import queue
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.utils.translation import gettext as _
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from .service import Incoming, live_messages_store

log = logging.getLogger(__name__)

# Unacknowledged messages the broker may have in flight to us (MQTT 5 Receive Maximum; 65,535 is
# the protocol's most). Messages beyond it wait in the broker's queue, which Mosquitto caps at
# max_queued_messages (default 1,000) and then drops QoS 1 messages silently: with 2,000 here, a
# burst published faster than one batch is stored lost everything past 3,000 unacknowledged.
RECEIVE_MAXIMUM = 65535


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool


def broker_from_url(url: str) -> Broker:
    """``mqtt://user:pass@host:port`` or ``mqtts://...`` (TLS, port 8883 unless given)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise ValueError(_("An MQTT URL looks like mqtt://user:password@host:1883 (or mqtts:// for TLS)."))
    tls = parts.scheme == "mqtts"
    return Broker(
        host=parts.hostname,
        port=parts.port or (8883 if tls else 1883),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        tls=tls,
    )


def subscription(topic: str, shared_group: str | None) -> str:
    """``$share/<group>/<topic>``: MQTT 5 shared subscriptions spread messages over several ingesters."""
    return f"$share/{shared_group}/{topic}" if shared_group else topic


def make_client(broker: Broker, client_id: str) -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
    return client


def connect_properties(session_expiry_s: int) -> Properties:
    properties = Properties(PacketTypes.CONNECT)
    properties.SessionExpiryInterval = session_expiry_s
    properties.ReceiveMaximum = RECEIVE_MAXIMUM
    return properties


class Ingester:
    """Receives on the network thread, stores in batches on the thread that calls ``run``."""

    def __init__(
        self,
        *,
        broker: Broker,
        topic: str,
        client_id: str,
        shared_group: str | None = None,
        batch_size: int = 500,
        flush_seconds: float = 0.5,
        session_expiry_s: int = 7 * 24 * 3600,
    ):
        self.broker, self.client_id = broker, client_id
        self.topic = subscription(topic, shared_group)
        self.batch_size, self.flush_seconds, self.session_expiry_s = batch_size, flush_seconds, session_expiry_s
        self.totals: Counter = Counter()
        self.subscribed = threading.Event()
        self._inbox: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self.client = make_client(broker, client_id)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("MQTT connection refused: %s", reason_code)
            return
        log.info("Connected to %s:%s (session present: %s)", self.broker.host, self.broker.port, flags.session_present)
        client.subscribe(self.topic, options=SubscribeOptions(qos=1))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        self.subscribed.set()

    def _on_message(self, client, userdata, message):
        self._inbox.put((message, dt.datetime.now(dt.UTC)))

    def stop(self) -> None:
        """Ask ``run`` to store what it holds and return (signal handlers call this)."""
        self._stop.set()

    def run(self, *, until=None) -> Counter:
        """Until ``stop()`` (or ``until()`` is true): collect, store, acknowledge. Returns the totals."""
        self.client.connect(
            self.broker.host, self.broker.port, clean_start=False, properties=connect_properties(self.session_expiry_s)
        )
        self.client.loop_start()
        try:
            while not self._stop.is_set() and not (until and until()):
                self._flush(self._collect())
            self._flush(self._drain())
        finally:
            self.client.disconnect()
            self.client.loop_stop()
        return self.totals

    def _collect(self) -> list:
        """A batch: up to ``batch_size`` messages, or what arrived within ``flush_seconds`` of the first."""
        try:
            batch = [self._inbox.get(timeout=0.1)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < self.batch_size and not self._stop.is_set():
            try:
                batch.append(self._inbox.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        return batch

    def _drain(self) -> list:
        batch = []
        while True:
            try:
                batch.append(self._inbox.get_nowait())
            except queue.Empty:
                return batch

    def _flush(self, batch: list) -> None:
        if not batch:
            return
        incoming = [Incoming(m.topic, m.payload, received) for m, received in batch]
        report = live_messages_store(messages=incoming)  # commits; only then acknowledge
        for message, _received in batch:
            if message.qos:
                self.client.ack(message.mid, message.qos)
        self.totals["messages"] += len(batch)
        self.totals.update(report.outcomes)
        self.totals["readings_written"] += report.readings_written
        self.totals["refused_frozen"] += report.refused_frozen
        log.info("Stored %d messages: %s", len(batch), dict(report.outcomes))
