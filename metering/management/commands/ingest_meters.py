"""``manage.py ingest_meters``: store the meters' MQTT messages as readings until SIGTERM/SIGINT."""

import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from metering.live.mqtt import Ingester, broker_from_url

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Command(BaseCommand):
    help = (
        "Subscribe to the meters' Tasmota SML messages (LEG_MQTT_URL, LEG_MQTT_TOPIC) with a persistent "
        "MQTT 5 session and store them as interval readings, in batches. Stops cleanly on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.LEG_MQTT_URL, help="Broker URL (default: LEG_MQTT_URL).")
        parser.add_argument("--topic", default=settings.LEG_MQTT_TOPIC, help="Topic filter (default: LEG_MQTT_TOPIC).")
        parser.add_argument(
            "--client-id", default=settings.LEG_MQTT_CLIENT_ID, help="Fixed client id; one per running ingester."
        )
        parser.add_argument(
            "--shared",
            metavar="GROUP",
            help="Subscribe as $share/GROUP/<topic>: ingesters of one group share the messages (e.g. leg).",
        )
        parser.add_argument("--batch-size", type=int, default=500, help="Most messages stored per transaction.")
        parser.add_argument("--flush-seconds", type=float, default=0.5, help="Longest wait before a batch is stored.")

    def handle(self, *args, **options):
        ingester = Ingester(
            broker=broker_from_url(options["url"]),
            topic=options["topic"],
            client_id=options["client_id"],
            shared_group=options["shared"],
            batch_size=options["batch_size"],
            flush_seconds=options["flush_seconds"],
            session_expiry_s=settings.LEG_MQTT_SESSION_EXPIRY,
        )
        previous = {signum: signal.signal(signum, lambda *_: ingester.stop()) for signum in STOP_SIGNALS}
        self.stdout.write(f"Ingesting {ingester.topic} from {ingester.broker.host}:{ingester.broker.port} …")
        try:
            totals = ingester.run()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        self.stdout.write(f"Stopped: {dict(totals)}")
