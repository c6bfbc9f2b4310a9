"""Benchmark: live meter messages through Mosquitto and `ingest_meters`' Ingester into the database.

    .venv/bin/python benchmarks/bench_ingest.py [--full] [--meters N] [--rounds N] [--rate N] [--json PATH]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/bench_ingest.py

Starts its own Mosquitto (Debian's binary) on a free port with the README's settings, unless
``--broker URL`` names one, and works on a throwaway database.
The default is a small run (200 meters); ``--full`` is the issue's: 2,000 meters, a burst of 10,000.
Three runs, each with its own topic prefix and client id:
1. lag: ``rate`` messages/s (2,000 meters every 10 s = 200/s) for ``lag-seconds``; publish to commit
   p50/p99 (goal p99 <= 5 s). It also gives every meter a state, so the next run writes readings;
2. live burst: ``meters x rounds`` messages published as fast as one publisher process can, stored
   by one ingester as they come; messages/s from the first arrival to the last commit. The
   publisher (paho, Python) shares the two cores with the broker and the ingester: all must arrive;
3. backlog: the same burst published while the ingester is away, then stored when it comes back:
   the ingester's own rate, broker to database, without the publisher on the same cores (goal
   >= 2,000/s); its baseline in the same run stores one message per transaction (batch size 1).
"""

import argparse
import contextlib
import datetime as dt
import multiprocessing
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import Results, add_json_argument  # noqa: E402
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


def run_phase(url: str, *, meters: int, rounds: int, rate: float, first_round: int):
    """Live: one publisher process and one ingester at once; returns (messages, seconds from the first
    message's arrival to the last commit, lags). The publisher process's start-up is not counted."""
    prefix = f"bench-{uuid.uuid4().hex[:10]}"
    ingester = bench_ingester(url, prefix)
    publisher = publisher_process(url, prefix, meters, rounds, rate, first_round)
    threading.Thread(target=lambda: ingester.subscribed.wait(30) and publisher.start(), daemon=True).start()
    totals = ingester.run(until=finished(ingester, publisher, meters * rounds))
    publisher.join(5)
    seconds = (ingester.last_commit or time.monotonic()) - (ingester.first_arrival or time.monotonic())
    return totals["messages"], seconds, sorted(ingester.lags)


def drain_phase(url: str, *, meters: int, rounds: int, first_round: int, batch_size: int = 500):
    """A backlog: the ingester's session is made, the messages are published while it is away, then
    it comes back and stores them; returns (messages, seconds from the first arrival to the last
    commit, the CPU seconds of this process meanwhile). The publisher (Python, like the ingester)
    does not share the cores with it here."""
    prefix = f"bench-{uuid.uuid4().hex[:10]}"
    away = bench_ingester(url, prefix)
    away.run(until=away.subscribed.is_set)
    publisher = publisher_process(url, prefix, meters, rounds, 0, first_round)
    publisher.start()
    publisher.join(600)
    ingester = bench_ingester(url, prefix, batch_size=batch_size)
    cpu_s = time.process_time()
    totals = ingester.run(until=finished(ingester, publisher, meters * rounds))
    cpu_s = time.process_time() - cpu_s
    return totals["messages"], (ingester.last_commit or time.monotonic()) - (ingester.first_arrival or 0), cpu_s


def bench_ingester(url: str, prefix: str, batch_size: int = 500):
    from metering.live.mqtt import broker_from_url

    return timed_ingester(
        broker=broker_from_url(url),
        topic=f"{prefix}/+/SENSOR",
        client_id=f"{prefix}-ingest",
        batch_size=batch_size,
        session_expiry_s=300,
    )


def publisher_process(url: str, prefix: str, meters: int, rounds: int, rate: float, first_round: int):
    spawn = multiprocessing.get_context("spawn")
    args = (url, prefix, meters, rounds, rate, T0.isoformat(), first_round)
    return spawn.Process(target=publish, args=args, daemon=True)


def finished(ingester, publisher, total: int):
    """All stored, the publisher failed, or it is done and nothing came for 15 s (the broker dropped some)."""
    deadline = time.monotonic() + 600

    def done() -> bool:
        quiet = publisher.exitcode == 0 and time.monotonic() - (ingester.last_arrival or time.monotonic()) > 15
        return ingester.totals["messages"] >= total or time.monotonic() > deadline or quiet or bool(publisher.exitcode)

    return done


@contextlib.contextmanager
def own_broker(workdir: Path):
    """A Mosquitto of our own on a free port, set up as the README tells operators (a queue big
    enough for a backlog: the machine's broker may keep only its default 1,000)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_queued_messages 1000000\nmax_queued_bytes 0\n"
    )
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    broker = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            time.sleep(0.1)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        broker.terminate()
        broker.wait(10)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))] if values else float("nan")


SMALL = {"meters": 200, "rounds": 10, "lag_seconds": 5, "baseline": 300}
FULL = {"meters": 2000, "rounds": 5, "lag_seconds": 30, "baseline": 1000}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="The issue's sizes: 2,000 meters, a burst of 10,000.")
    parser.add_argument("--meters", type=int, help="Meters (small 200, full 2,000).")
    parser.add_argument("--rounds", type=int, help="Messages per meter in the throughput run (small 10, full 5).")
    parser.add_argument("--rate", type=float, default=200, help="Messages/s of the lag run.")
    parser.add_argument("--lag-seconds", type=int, help="Length of the lag run (small 5, full 30).")
    parser.add_argument(
        "--baseline", type=int, help="Messages of the one-transaction-each run (small 300, full 1,000)."
    )
    parser.add_argument("--broker", metavar="URL", help="Use this broker (set up as the README says), not our own.")
    add_json_argument(parser)
    args = parser.parse_args()
    for name, value in (FULL if args.full else SMALL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    with throwaway_environment("bench-ingest") as (workdir, database):
        run(args, workdir, database)


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


def run(args, workdir: Path, database: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    create_houses(args.meters)
    with contextlib.ExitStack() as stack:
        url = args.broker or stack.enter_context(own_broker(workdir))
        print(f"database:   {database}")
        print(f"broker:     {url}; {args.meters:,} meters")
        measure(args, url, Results("ingest"))


def measure(args, url: str, results) -> None:
    data = f"{args.meters:,} meters"
    lag_rounds = max(1, int(args.rate * args.lag_seconds / args.meters))
    count, _seconds, lags = run_phase(url, meters=args.meters, rounds=lag_rounds, rate=args.rate, first_round=0)
    p99 = percentile(lags, 0.99)
    print(
        f"lag run:    {count:,} messages at {args.rate:.0f}/s, p50 {statistics.median(lags):.2f} s, max {lags[-1]:.2f} s"
    )
    results.add(
        "lag p99, publish to commit", p99, "s", data=f"{data}, {count:,} messages at {args.rate:.0f}/s",
        goal="<= 5 s", met=p99 <= 5,
    )  # fmt: skip

    burst, first = args.meters * args.rounds, lag_rounds + 1
    count, seconds, lags = run_phase(url, meters=args.meters, rounds=args.rounds, rate=0, first_round=first)
    print(f"live burst: {count:,} of {burst:,} stored in {seconds:.1f} s, the publisher on the same cores")
    results.add(
        "live burst, publisher alongside", count / seconds, "msgs/s", data=f"{data}, {count:,} of {burst:,} stored",
        goal="every message stored", met=count == burst,
    )  # fmt: skip

    baseline_meters = min(args.meters, args.baseline)
    baseline_rounds, first = max(1, args.baseline // baseline_meters), first + args.rounds
    base_count, base_seconds, _cpu_s = drain_phase(
        url, meters=baseline_meters, rounds=baseline_rounds, first_round=first, batch_size=1
    )
    count, seconds, cpu_s = drain_phase(
        url, meters=args.meters, rounds=args.rounds, first_round=first + baseline_rounds
    )
    speed = count / seconds
    print(
        f"backlog:    {count:,} of {burst:,} stored in {seconds:.1f} s; one per transaction {base_count:,} in {base_seconds:.1f} s"
    )
    results.add(
        "throughput, backlog end to end", speed, "msgs/s", data=f"{data}, backlog of {count:,} of {burst:,}",
        baseline="one transaction per message", baseline_value=base_count / base_seconds,
        goal=">= 2,000 msgs/s, every message stored", met=speed >= 2000 and count == burst,
    )  # fmt: skip
    results.add(
        "ingester CPU per message, backlog", cpu_s / count * 1e6, "µs",
        data="both threads (paho's network thread, the batches); 1 s / this = msgs/s on one free core",
    )  # fmt: skip
    results.write(args.json)


if __name__ == "__main__":
    main()
