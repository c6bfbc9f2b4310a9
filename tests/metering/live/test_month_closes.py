"""The demo's promise end to end: a simulated month through the broker and the ingester closes, and
each invoice holds exactly the energy its meter's registers counted."""

import datetime as dt
import json
import math
from decimal import Decimal

import pytest

from invoicing import services
from invoicing.models import Invoice
from metering.live.simulate import SimulatedMeter, messages
from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory
from tests.metering.live.mqtt_helpers import feed  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
QUARTER_HOUR = dt.timedelta(minutes=15)


def registers_wh(payload: str) -> tuple[int, int]:
    """The payload's Ei and Eo in whole Wh (floored: readings carry the sub-Wh rest onwards)."""
    meter = json.loads(payload, parse_float=Decimal)["SML"]
    return math.floor(meter["Ei"] * 1000), math.floor(meter["Eo"] * 1000)


def test_a_simulated_month_through_the_ingester_closes_with_the_registers_energy(
    feed,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    # Given two houses whose simulated meters send every quarter hour from 1 January to 1 February
    community = CommunityFactory(slug="sim-month")
    TariffFactory(community=community)
    period = SettlementPeriodFactory(community=community)
    houses = [HouseFactory(community=community, house_id=f"house_{n}", meter_id=f"1ESY{n}") for n in (1, 2)]
    meters = [SimulatedMeter(device=h.house_id, meter_id=h.meter_id) for h in houses]
    rounds = (FEBRUARY - JANUARY) // QUARTER_HOUR + 1
    month = list(
        messages(meters, start=JANUARY, step=QUARTER_HOUR, count=rounds, zone=community.zone, prefix=feed.prefix)
    )

    # When the ingester stores them as they are published, and the month is closed
    totals = feed.ingest_while_publishing(month)
    with django_capture_on_commit_callbacks(execute=True):
        start = services.period_close_start(period=period)

    # Then every quarter hour was measured, and each invoice holds its meter's register deltas
    assert totals["messages"] == len(month) == 2 * 2977
    assert start.completeness.complete
    assert not MeterReading.objects.filter(estimated=True).exists()
    for house in houses:
        payloads = [text for topic, text in month if f"/{house.house_id}/" in topic]
        (first_ei, first_eo), (last_ei, last_eo) = registers_wh(payloads[0]), registers_wh(payloads[-1])
        invoice = Invoice.objects.get(house=house, period=period)
        assert invoice.energy_imported_kwh * 1000 == last_ei - first_ei > 0
        assert invoice.energy_exported_kwh * 1000 == last_eo - first_eo > 0
