"""Small builders for realistic billing data. Fixed values: randomness only through hypothesis."""

import datetime as dt
from decimal import Decimal

import factory

from communities.models import Community, CommunityManager, House
from core.energy import kwh_to_wh
from invoicing.models import SettlementPeriod, Tariff
from metering.models import MeterReading


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Energiegemeinschaft {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    time_zone = "UTC"
    interval_minutes = 15
    invoice_prefix = "INV"
    legal_name = factory.LazyAttribute(lambda community: f"{community.name} eG")
    address = "Hauptstraße 1\n79098 Freiburg"
    contact_email = "abrechnung@example.org"


class HouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = House

    community = factory.SubFactory(CommunityFactory)
    house_id = factory.Sequence(lambda n: f"house_{n + 1}")
    name = factory.Sequence(lambda n: f"Sonnenweg {n + 1}")
    owner_name = "Jörg Müller"
    address = factory.LazyAttribute(lambda house: f"{house.name}\n79098 Freiburg")
    email = "member@example.org"
    active_from = dt.date(2020, 1, 1)


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tariff

    community = factory.SubFactory(CommunityFactory)
    valid_from = dt.date(2020, 1, 1)  # from 00:00 that day in the community's zone
    p_pv_ct_per_kwh = Decimal("20")
    p_con_ct_per_kwh = Decimal("25")
    p_grid_del_ct_per_kwh = Decimal("6")
    p_grid_con_ct_per_kwh = Decimal("30")


class SettlementPeriodFactory(factory.django.DjangoModelFactory):
    """A month of a UTC community; use services.period_get_or_create for other zones."""

    class Meta:
        model = SettlementPeriod

    community = factory.SubFactory(CommunityFactory)
    month = "2026-01"
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


def reading(house: House, interval_start: dt.datetime, *, exported_kwh: str = "0", imported_kwh: str = "0"):
    return MeterReading(
        house=house,
        interval_start=interval_start,
        exported_wh=kwh_to_wh(Decimal(exported_kwh)),
        imported_wh=kwh_to_wh(Decimal(imported_kwh)),
    )


def add_readings(house: House, start: dt.datetime, energies: list[tuple[str, str]], interval_minutes: int = 15):
    """Save consecutive readings from ``start``: one ``(exported_kwh, imported_kwh)`` pair per interval."""
    step = dt.timedelta(minutes=interval_minutes)
    return MeterReading.objects.bulk_create(
        reading(house, start + index * step, exported_kwh=exported, imported_kwh=imported)
        for index, (exported, imported) in enumerate(energies)
    )


def member_of(user, community: Community, *, auditor: bool = False) -> CommunityManager:
    """``user`` a manager (or auditor) of ``community``: the admin shows staff only their communities."""
    return CommunityManager.objects.create(user=user, community=community, is_auditor=auditor)
