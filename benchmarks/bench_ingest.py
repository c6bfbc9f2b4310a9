"""Benchmark: live meter messages through Mosquitto and `ingest_meters`' Ingester into the database.

    .venv/bin/python benchmarks/bench_ingest.py [--meters 2000] [--rounds 1] [--lag-seconds 30] [--rate 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_ingest.py

Needs a broker (LEG_MQTT_URL, default mqtt://127.0.0.1:1883) and works on a throwaway database.
Three runs, each with its own topic prefix and client id:
1. lag: ``rate`` messages/s (2,000 meters every 10 s = 200/s) for ``lag-seconds``; publish to commit
   p50/p99 (goal p99 <= 5 s). It also gives every meter a state, so the next run writes readings;
2. throughput: ``meters x rounds`` messages published as fast as one publisher process can, stored by
   one ingester; messages/s from the first message's arrival to the last commit (goal >= 2,000/s).
   Mosquitto's default queue (max_queued_messages 1000) is the limit of a burst; keep rounds small;
3. baseline, same run: one transaction per message (batch size 1), to show what batching buys.
"""

import argparse
import datetime as dt
import multiprocessing
import re
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from throwaway import throwaway_environment  # noqa: E402

PUB = re.compile(rb'"pub":([0-9.]+)')
T0 = dt.datetime(2026, 3, 2, 0, 0)  # device local time (the community is UTC)


def publish(url: str, prefix: str, meters: int, rounds: int, rate: float, start: str, first_round: int) -> None:
    """Child process: ``rounds`` messages per meter, 10 s of device time apart; ``rate`` 0 = flat out."""
    from urllib.parse import urlsplit

    import paho.mqtt.client as mqtt

    broker = urlsplit(url)  # not metering.live.mqtt: this process has no Django
    client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    if broker.username:
        client.username_pw_set(broker.username, broker.password)
    client.connect(broker.hostname, broker.port or 1883)
    client.loop_start()
    began, sent, info = time.monotonic(), 0, None
    base = dt.datetime.fromisoformat(start)
    for round_ in range(first_round, first_round + rounds):
        stamp = (base + dt.timedelta(seconds=10 * round_)).strftime("%Y-%m-%dT%H:%M:%S")
        for meter in range(meters):
            ei = f"{1000 + round_ * 0.0123 + meter:.4f}"
            text = f'{{"Time":"{stamp}","pub":{time.time():.6f},"SML":{{"Ei":{ei},"Eo":0.5,"SMid":"M{meter}"}}}}'
            info = client.publish(f"{prefix}/d{meter}/SENSOR", text, qos=1)
            sent += 1
            if rate:
                pause = began + sent / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
    if info is not None:
        info.wait_for_publish(timeout=120)
    client.disconnect()
    client.loop_stop()


def timed_ingester(**kwargs):
    from metering.live.mqtt import Ingester

    class TimedIngester(Ingester):
        """Records, per message, the time from its publication to the commit of its batch."""

        lags: list[float]

        def _on_message(self, client, userdata, message):
            self.last_arrival = time.monotonic()
            if self.first_arrival is None:
                self.first_arrival = self.last_arrival
            super()._on_message(client, userdata, message)

        def _flush(self, batch):
            super()._flush(batch)
            now = time.time()
            for message, _received in batch:
                found = PUB.search(message.payload)
                if found:
                    self.lags.append(now - float(found.group(1)))
            self.last_commit = time.monotonic()

    ingester = TimedIngester(**kwargs)
    ingester.lags, ingester.last_commit, ingester.first_arrival, ingester.last_arrival = [], None, None, None
    return ingester


def run_phase(url: str, *, meters: int, rounds: int, rate: float, first_round: int, batch_size: int = 500):
    """One publisher process and one ingester; returns (messages, seconds from the first message's
    arrival to the last commit, lags). The publisher process's start-up is not counted."""
    from metering.live.mqtt import broker_from_url

    prefix = f"bench-{uuid.uuid4().hex[:10]}"
    ingester = timed_ingester(
        broker=broker_from_url(url),
        topic=f"{prefix}/+/SENSOR",
        client_id=f"{prefix}-ingest",
        batch_size=batch_size,
        session_expiry_s=60,
    )
    total = meters * rounds
    spawn = multiprocessing.get_context("spawn")
    publisher = spawn.Process(
        target=publish, args=(url, prefix, meters, rounds, rate, T0.isoformat(), first_round), daemon=True
    )
    started = {}

    def start_when_subscribed():
        ingester.subscribed.wait(30)
        started["at"] = time.monotonic()
        publisher.start()

    threading.Thread(target=start_when_subscribed, daemon=True).start()
    deadline = time.monotonic() + 600
    totals = ingester.run(
        until=lambda: (
            ingester.totals["messages"] >= total or time.monotonic() > deadline or publisher.exitcode not in (None, 0)
        )
    )
    publisher.join(5)
    if publisher.is_alive():
        publisher.terminate()
    seconds = (ingester.last_commit or time.monotonic()) - (ingester.first_arrival or started["at"])
    return totals["messages"], seconds, sorted(ingester.lags)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meters", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=1, help="Messages per meter in the throughput run.")
    parser.add_argument("--rate", type=float, default=200, help="Messages/s of the lag run.")
    parser.add_argument("--lag-seconds", type=int, default=30)
    parser.add_argument("--baseline", type=int, default=1000, help="Messages of the one-transaction-each run.")
    args = parser.parse_args()
    with throwaway_environment("bench-ingest") as (_workdir, database):
        run(args, database)


def create_houses(meters: int) -> None:
    from communities.models import Community, House

    community = Community.objects.create(name="Bench", slug="bench", legal_name="Bench eG", address="-")
    House.objects.bulk_create(
        House(
            community=community,
            house_id=f"house_{n}",
            meter_id=f"M{n}",
            name=f"H{n}",
            owner_name="-",
            address="-",
            active_from=dt.date(2020, 1, 1),
        )
        for n in range(meters)
    )


def run(args, database: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from metering.models import MeterReading

    call_command("migrate", verbosity=0)
    create_houses(args.meters)
    url = settings.LEG_MQTT_URL
    print(f"database:   {database}")
    print(f"broker:     {url}; {args.meters:,} meters")

    lag_rounds = max(1, int(args.rate * args.lag_seconds / args.meters))
    count, seconds, lags = run_phase(url, meters=args.meters, rounds=lag_rounds, rate=args.rate, first_round=0)
    print(
        f"lag:        {count:,} messages at {args.rate:.0f}/s: publish to commit p50 {statistics.median(lags):.2f} s, "
        f"p99 {percentile(lags, 0.99):.2f} s, max {lags[-1]:.2f} s (goal p99 <= 5 s)"
    )

    count, seconds, lags = run_phase(url, meters=args.meters, rounds=args.rounds, rate=0, first_round=lag_rounds + 1)
    speed = count / seconds
    print(f"throughput: {count:,} messages in {seconds:.1f} s = {speed:,.0f} msgs/s end to end (goal >= 2,000)")
    if count < args.meters * args.rounds:
        print(
            f"            the broker delivered {count:,} of {args.meters * args.rounds:,} (its queue limit dropped the rest)"
        )
    print(
        f"            {MeterReading.objects.count():,} readings stored in all; lag p99 under full load {percentile(lags, 0.99):.2f} s"
    )

    baseline_meters = min(args.meters, args.baseline)
    count, seconds, _ = run_phase(
        url, meters=baseline_meters, rounds=max(1, args.baseline // baseline_meters), rate=0,
        first_round=args.rounds + lag_rounds + 2, batch_size=1,
    )  # fmt: skip
    base_speed = count / seconds
    print(f"baseline:   one transaction per message: {count:,} in {seconds:.1f} s = {base_speed:,.0f} msgs/s")
    print(f"ratio:      batched / one-per-message = {speed / base_speed:.1f}x")


if __name__ == "__main__":
    main()
