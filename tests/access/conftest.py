"""Two communities with a billed January each, and a manager of one of them holding every permission.

The manager holds every permission there is, so whatever keeps the other community's objects from
them is the per-community scoping, not a missing permission.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from invoicing import services
from invoicing.models import Invoice, payable_ct
from metering.live.tokens import meter_token_issue
from metering.models import ImportJob, LiveMeterState, MeterChange, MeterEvent
from tests.factories import (
    CommunityFactory,
    HouseFactory,
    SettlementPeriodFactory,
    TariffFactory,
    add_readings,
    member_of,
)

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def billed_month(community):
    """A tariff, two houses with readings and a meter change, an import job, an issued January with
    one invoice paid and the other cancelled (so a cancellation note and a corrected invoice), and
    their e-mails queued."""
    TariffFactory(community=community)
    houses = [HouseFactory(community=community, house_id=f"house_{n}") for n in (1, 2)]
    for house in houses:
        add_readings(house, JANUARY, [("1.5", "0.5"), ("0.25", "2.0")])
    MeterChange.objects.create(house=houses[0], changed_at=JANUARY + dt.timedelta(days=3), note="Meter replaced")
    ImportJob.objects.create(community=community, file="meter-imports/readings.csv", original_name="readings.csv")
    period = SettlementPeriodFactory(community=community)
    services.invoices_issue(period=period, force=True, reason="test data has gaps")
    first, second = Invoice.objects.filter(period=period).order_by("house__house_id")
    services.payment_record(
        invoice=second, paid_on=dt.date(2026, 2, 10), amount_ct=payable_ct(second), reference=f"SEPA-{community.slug}"
    )
    services.deliveries_queue(period=period)  # queued e-mails (their PDFs wait for a task)
    live_meter(houses[1])
    services.invoice_cancel(invoice=first, reason="Wrong postal address")
    return period


def live_meter(house):
    """What the live feed keeps of a meter: its state, an event, and its API token."""
    house.meter_id = f"1ESY{house.pk:08d}"
    house.save()
    at = JANUARY + dt.timedelta(days=2)
    LiveMeterState.objects.create(
        house=house, last_message_at=at, ei_kwh=Decimal("1.5"), eo_kwh=Decimal("0.25"), open_start=at, received_at=at
    )
    MeterEvent.objects.create(house=house, at=at, kind=MeterEvent.Kind.WENT_BACK, ei_kwh=Decimal("0"))
    meter_token_issue(house=house)


@pytest.fixture
def own():
    community = CommunityFactory(slug="sonnenfeld", name="Sonnenfeld")
    billed_month(community)
    return community


@pytest.fixture
def other():
    community = CommunityFactory(slug="windpark", name="Windpark")
    billed_month(community)
    return community


@pytest.fixture
def manager(django_user_model, own):
    user = django_user_model.objects.create_user(username="manager", password="secret", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    member_of(user, own)
    return user


@pytest.fixture
def manager_client(client, manager, other):
    client.force_login(manager)
    return client
