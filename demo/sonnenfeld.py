"""The demo community Sonnenfeld: eight houses, one tariff, October 2026 in quarter hours.

The first half is pure (no ORM): a deterministic weather and load model that turns a house's
profile and a list of interval starts into integer Wh. The second half, ``demo_load``, writes it
once and leaves it alone afterwards, so ``manage.py load_demo`` can run on every start.

October is chosen on purpose: in Europe/Berlin it has 745 hours (the clocks go back on the 25th),
so the demo month shows 2,980 quarter hours per house instead of 2,976.
"""

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction

from communities.models import Community, House
from core import local_time
from invoicing import services
from invoicing.models import SettlementPeriod, Tariff
from metering.models import MeterReading

DEMO_SLUG = "sonnenfeld"
DEMO_PERIOD_ID = "2026-10"
DEMO_ZONE = ZoneInfo("Europe/Berlin")
INTERVAL_MINUTES = 15
# 5,000 rows per INSERT keeps each statement under SQLite's 32,766-variable limit (4 columns)
# and writes the ~23,000 demo readings in five statements.
BATCH_SIZE = 5000
SEED = "sonnenfeld-2026-10"

COMMUNITY = {
    "name": "Energiegemeinschaft Sonnenfeld",
    "time_zone": "Europe/Berlin",
    "interval_minutes": INTERVAL_MINUTES,
    "invoice_prefix": "INV",
    "legal_name": "Energiegemeinschaft Sonnenfeld eG",
    "address": "Rathausplatz 1\n79117 Freiburg im Breisgau",
    "contact_email": "abrechnung@sonnenfeld.example",
    "contact_phone": "+49 761 4711-0",
    "tax_id": "DE812345678",
    "iban": "DE89370400440532013000",
    "bic": "COBADEFFXXX",
    "bank_name": "Commerzbank",
    "payment_terms_days": 14,
    "legal_note": "Members of the cooperative are billed at the prices the general assembly set.",
}
TARIFF_PRICES_CT_PER_KWH = {
    "p_pv_ct_per_kwh": Decimal("20"),
    "p_con_ct_per_kwh": Decimal("25"),
    "p_grid_del_ct_per_kwh": Decimal("6"),
    "p_grid_con_ct_per_kwh": Decimal("30"),
}
TARIFF_VALID_FROM = dt.date(2026, 1, 1)  # from 00:00 in the community's zone


@dataclass(frozen=True)
class DemoHouse:
    house_id: str
    name: str
    owner_name: str
    postcode_city: str
    email: str
    active_from: dt.date
    pv_kwp: float
    """Installed PV peak power; 0 for a house without panels."""
    household_w: float
    """Average household load in W; 400 W is about 3,500 kWh a year."""

    @property
    def address(self) -> str:
        return f"{self.name}\n{self.postcode_city}"


HOUSES = (
    DemoHouse(
        "house_1",
        "Sonnenweg 1",
        "Jürgen Größ",
        "79117 Freiburg im Breisgau",
        "j.groess@example.org",
        dt.date(2026, 1, 1),
        9.8,
        480,
    ),
    DemoHouse(
        "house_2",
        "Sonnenweg 3",
        "Anna Müller",
        "79117 Freiburg im Breisgau",
        "anna.mueller@example.org",
        dt.date(2026, 1, 1),
        6.0,
        380,
    ),
    DemoHouse(
        "house_3",
        "Am Mühlbach 2",
        "Käthe Schäfer",
        "79117 Freiburg im Breisgau",
        "kaethe.schaefer@example.org",
        dt.date(2026, 1, 1),
        7.5,
        520,
    ),
    DemoHouse(
        "house_4",
        "Am Mühlbach 5",
        "Björn Weiß",
        "79117 Freiburg im Breisgau",
        "bjoern.weiss@example.org",
        dt.date(2026, 1, 1),
        0.0,
        360,
    ),
    DemoHouse(
        "house_5",
        "Lindenstraße 12",
        "Özlem Yıldız-Bäcker",
        "79117 Freiburg im Breisgau",
        "oezlem.baecker@example.org",
        dt.date(2026, 1, 1),
        4.2,
        300,
    ),
    DemoHouse(
        "house_6",
        "Lindenstraße 14a",
        "Günther Hoffmann",
        "79117 Freiburg im Breisgau",
        "g.hoffmann@example.org",
        dt.date(2026, 1, 1),
        5.4,
        440,
    ),
    DemoHouse(
        "house_7",
        "Brühlweg 7",
        "Brigitte Kühn",
        "79117 Freiburg im Breisgau",
        "brigitte.kuehn@example.org",
        dt.date(2026, 1, 1),
        8.1,
        560,
    ),
    # Joins mid-month: billed from its first local day only (active-day logic).
    DemoHouse(
        "house_8",
        "Brühlweg 9",
        "Dr. Jörg Lößner",
        "79117 Freiburg im Breisgau",
        "joerg.loessner@example.org",
        dt.date(2026, 10, 10),
        3.6,
        340,
    ),
)

# --- The pure model -----------------------------------------------------------------------------

# Freiburg (7.85 °E): the sun is highest at about 11:05 UTC in October (longitude plus the
# equation of time), i.e. 13:05 before and 12:05 after the clocks go back. Days shorten from
# about 11.6 to 9.7 hours over the month, so sunrise is ~7:15 and sunset ~18:55 on the 1st and
# ~17:00 by the 31st (local).
SOLAR_NOON_UTC_H = 11.08
DAY_LENGTH_FIRST_H = 11.6
DAY_LENGTH_LAST_H = 9.7
# Share of peak power a well-oriented roof delivers at noon on a clear October day; gives about
# 55 kWh per kWp over the month, which is what south German roofs make in October.
CLEAR_SKY_NOON_FACTOR = 0.62


def daylight(day: dt.date) -> tuple[float, float]:
    """Sunrise and sunset of ``day`` as UTC hours (fractional)."""
    share = (day.day - 1) / 30
    length = DAY_LENGTH_FIRST_H + (DAY_LENGTH_LAST_H - DAY_LENGTH_FIRST_H) * share
    return SOLAR_NOON_UTC_H - length / 2, SOLAR_NOON_UTC_H + length / 2


def weather_by_day(first_day: dt.date, days: int, seed: str = SEED) -> dict[dt.date, float]:
    """A sky factor per local day, shared by the whole village: 1 clear, ~0.1 grey and rainy."""
    rng = random.Random(f"{seed}-weather")
    factors = {}
    for offset in range(days):
        kind = rng.random()
        if kind < 0.3:
            factor = rng.uniform(0.85, 1.0)  # clear
        elif kind < 0.7:
            factor = rng.uniform(0.4, 0.8)  # broken clouds
        else:
            factor = rng.uniform(0.06, 0.3)  # overcast
        factors[first_day + dt.timedelta(days=offset)] = factor
    return factors


def pv_w(kwp: float, instant_utc: dt.datetime, sky: float, rng: random.Random) -> float:
    """PV output in W at ``instant_utc``: a sine arch between sunrise and sunset."""
    if kwp <= 0:
        return 0.0
    hour = instant_utc.hour + instant_utc.minute / 60 + 7.5 / 60  # middle of the quarter hour
    sunrise, sunset = daylight(instant_utc.date())
    if not sunrise < hour < sunset:
        return 0.0
    arch = math.sin(math.pi * (hour - sunrise) / (sunset - sunrise)) ** 1.5
    # Passing clouds: the less clear the day, the more the output jumps between quarter hours.
    clouds = 1 - (1 - sky) * rng.random() * 0.6
    return kwp * 1000 * CLEAR_SKY_NOON_FACTOR * arch * sky * clouds


def load_w(household_w: float, local: dt.datetime, rng: random.Random) -> float:
    """Household load in W at local time ``local``: base load plus morning and evening peaks."""
    hour = local.hour + local.minute / 60
    weekend = local.weekday() >= 5
    shape = 0.45  # fridge, standby, heating pump
    if 6 <= hour < 9:
        shape += 1.1 if not weekend else 0.5  # breakfast, showers
    if weekend and 9 <= hour < 17:
        shape += 0.7
    if 11.5 <= hour < 13.5:
        shape += 0.6  # cooking
    if 17 <= hour < 22:
        shape += 1.6  # cooking, light, TV, washing
    if 22 <= hour < 23.5:
        shape += 0.5
    # Occasional big consumers (oven, dryer, heat pump defrost) for a quarter hour.
    spike = 1800 if rng.random() < 0.03 else 0
    return household_w * shape * rng.uniform(0.8, 1.25) + spike


def house_readings(
    house: DemoHouse, interval_starts: list[dt.datetime], weather: dict[dt.date, float], seed: str = SEED
) -> Iterator[tuple[dt.datetime, int, int]]:
    """``(interval_start, exported_wh, imported_wh)`` for each start the house is active.

    Per quarter hour a house either exports what its panels make beyond its own load or imports
    what they do not cover, never both. Same house, same starts, same seed: same numbers.
    """
    rng = random.Random(f"{seed}-{house.house_id}")
    hours = INTERVAL_MINUTES / 60
    for start in interval_starts:
        local = start.astimezone(DEMO_ZONE)
        # Draw the random numbers even before the house joins, so a later active_from does not
        # shift every following value.
        produced = pv_w(house.pv_kwp, start, weather[local.date()], rng)
        consumed = load_w(house.household_w, local, rng)
        if local.date() < house.active_from:
            continue
        net_wh = round((produced - consumed) * hours)
        yield start, max(net_wh, 0), max(-net_wh, 0)


def month_interval_starts(month: str, zone: ZoneInfo, interval_minutes: int) -> list[dt.datetime]:
    """Every interval start of the local month, in UTC (DST days have 92 or 100 quarter hours)."""
    start, end = local_time.month_bounds(month, zone)
    step = dt.timedelta(minutes=interval_minutes)
    return [start + index * step for index in range(local_time.interval_count(start, end, interval_minutes))]


def demo_readings(month: str = DEMO_PERIOD_ID) -> dict[str, list[tuple[dt.datetime, int, int]]]:
    """All demo readings of the month, by house_id."""
    starts = month_interval_starts(month, DEMO_ZONE, INTERVAL_MINUTES)
    first_day, following_day = local_time.month_first_days(month)
    weather = weather_by_day(first_day, (following_day - first_day).days)
    return {house.house_id: list(house_readings(house, starts, weather)) for house in HOUSES}


# --- Writing it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReport:
    community_created: bool
    houses_created: int
    tariffs_created: int
    readings_created: int
    period_created: bool
    generation: services.GenerationReport | None
    """None when no drafts were generated; ``skipped_because`` says why."""
    skipped_because: str = ""

    @property
    def changed_anything(self) -> bool:
        generated = self.generation is not None and (
            self.generation.created or self.generation.updated or self.generation.deleted
        )
        return bool(
            self.community_created
            or self.houses_created
            or self.tariffs_created
            or self.readings_created
            or self.period_created
            or generated
        )


@transaction.atomic
def demo_load() -> DemoReport:
    """Create the demo community with its houses, tariff, October readings and draft invoices.

    Only what is missing is created; records that exist (perhaps edited by staff) are left as
    they are, and a house that has any reading in the month gets no new ones. So a second run
    changes nothing. Invoices are generated as drafts and never issued here.
    """
    community, community_created = Community.objects.get_or_create(slug=DEMO_SLUG, defaults=COMMUNITY)
    if community_created:
        community.full_clean()

    houses, houses_created = _houses_ensure(community)

    _, tariff_created = Tariff.objects.get_or_create(
        community=community, valid_from=TARIFF_VALID_FROM, defaults=TARIFF_PRICES_CT_PER_KWH
    )

    period_created = not SettlementPeriod.objects.filter(community=community, month=DEMO_PERIOD_ID).exists()
    period = services.period_get_or_create(community=community, month=DEMO_PERIOD_ID)
    if period.status == SettlementPeriod.Status.CLOSED:
        # Its meter data is frozen and its invoices are final: add nothing.
        return DemoReport(
            community_created=community_created,
            houses_created=houses_created,
            tariffs_created=int(tariff_created),
            readings_created=0,
            period_created=False,
            generation=None,
            skipped_because=f"period {DEMO_PERIOD_ID} is closed; its readings and invoices are final",
        )

    readings_created = _readings_ensure(community, houses, period)

    generation, skipped_because = None, ""
    try:
        generation = services.invoices_generate(period=period)
    except ValidationError as error:
        # Staff changed the demo (e.g. deleted its tariff): keep the data, report, go on starting.
        skipped_because = " ".join(error.messages)
    return DemoReport(
        community_created=community_created,
        houses_created=houses_created,
        tariffs_created=int(tariff_created),
        readings_created=readings_created,
        period_created=period_created,
        generation=generation,
        skipped_because=skipped_because,
    )


def _houses_ensure(community: Community) -> tuple[dict[str, House], int]:
    """The demo houses by house_id, created where missing; and how many were created."""
    houses, houses_created = {}, 0
    for demo_house in HOUSES:
        house, created = House.objects.get_or_create(
            community=community,
            house_id=demo_house.house_id,
            defaults={
                "name": demo_house.name,
                "owner_name": demo_house.owner_name,
                "address": demo_house.address,
                "email": demo_house.email,
                "active_from": demo_house.active_from,
            },
        )
        if created:
            house.full_clean()
        houses[demo_house.house_id] = house
        houses_created += created
    return houses, houses_created


def _readings_ensure(community: Community, houses: dict[str, House], period: SettlementPeriod) -> int:
    """The month's generated readings for each house that has none yet; how many were written."""
    with_readings = set(
        MeterReading.objects.filter(
            house__community=community, interval_start__gte=period.start, interval_start__lt=period.end
        )
        .values_list("house__house_id", flat=True)
        .distinct()
    )
    missing = [house_id for house_id in houses if house_id not in with_readings]
    if not missing:
        return 0
    generated = demo_readings()
    new = [
        MeterReading(house=houses[house_id], interval_start=start, exported_wh=exported, imported_wh=imported)
        for house_id in missing
        for start, exported, imported in generated[house_id]
    ]
    MeterReading.objects.bulk_create(new, batch_size=BATCH_SIZE)
    return len(new)
