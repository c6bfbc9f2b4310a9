"""``manage.py simulate_meters --community SLUG``: publish Tasmota-shaped messages for its houses."""

import datetime as dt
import time

import paho.mqtt.client as mqtt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from communities.models import Community
from metering.live.mqtt import broker_from_url
from metering.live.simulate import SimulatedMeter, messages


class Command(BaseCommand):
    help = (
        "Publish simulated Tasmota SML messages (QoS 1) for every house of a community to "
        "tele/<house key>/SENSOR, for `ingest_meters` to store. By default one message per house every "
        "10 seconds of real time; --start in the past with --fast replays history at full speed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="The community's slug.")
        parser.add_argument("--url", default=settings.LEG_MQTT_URL, help="Broker URL (default: LEG_MQTT_URL).")
        parser.add_argument("--every", type=int, default=10, help="Seconds of device time between messages.")
        parser.add_argument("--count", type=int, default=360, help="Messages per house (default: one hour).")
        parser.add_argument("--start", type=dt.datetime.fromisoformat, help="Device time of the first message (UTC).")
        parser.add_argument("--prefix", default="tele", help="First topic segment (default: tele).")
        parser.add_argument("--fast", action="store_true", help="Do not wait between rounds.")

    def handle(self, *args, **options):
        community = Community.objects.filter(slug=options["community"]).first()
        if community is None:
            raise CommandError(f"No community with the slug {options['community']!r}.")
        houses = list(community.houses.order_by("house_id"))
        if not houses:
            raise CommandError(f"{community.slug} has no houses.")
        meters = [SimulatedMeter(device=h.house_id, meter_id=h.meter_id) for h in houses]
        start = options["start"] or timezone.now().replace(microsecond=0)
        if start.tzinfo is None:
            start = start.replace(tzinfo=dt.UTC)
        broker = broker_from_url(options["url"])
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        if broker.username:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set()
        client.connect(broker.host, broker.port)
        client.loop_start()
        step = dt.timedelta(seconds=options["every"])
        sent = 0
        for topic, text in messages(
            meters, start=start, step=step, count=options["count"], zone=community.zone, prefix=options["prefix"]
        ):
            client.publish(topic, text, qos=1).wait_for_publish()
            sent += 1
            if not options["fast"] and sent % len(meters) == 0:
                time.sleep(step.total_seconds())
        client.disconnect()
        client.loop_stop()
        self.stdout.write(f"Published {sent} messages for {len(meters)} houses of {community.slug}.")
