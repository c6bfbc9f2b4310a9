"""Every page of every model the back-office registers opens for staff, with realistic records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from invoicing import services
from metering.live.tokens import meter_token_issue
from metering.models import ImportJob, LiveMeterState, MeterChange, MeterEvent, UnknownMeter
from tests.factories import CommunityFactory, HouseFactory, SettlementPeriodFactory, TariffFactory, add_readings

pytestmark = pytest.mark.django_db

OUR_APPS = {"communities", "invoicing", "metering"}
OUR_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in OUR_APPS), key=lambda model: model.__name__
)


@pytest.fixture
def every_record(admin_user):
    """A community with an issued, a cancelled and a corrected invoice, a payment on it (and one undone),
    an e-mail, a meter change and an import job."""
    community = CommunityFactory(slug="sonnenfeld")
    TariffFactory(community=community)
    house = HouseFactory(community=community, house_id="house_1", owner_name="Jürgen Größ")
    add_readings(house, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), [("1.5", "0.25")])
    period = SettlementPeriodFactory(community=community)
    services.invoices_issue(period=period, acting_user=admin_user, force=True, reason="test data has gaps")
    services.deliveries_queue(period=period, acting_user=admin_user)  # an e-mail, queued
    corrected = services.invoice_cancel(invoice=period.invoices.get(), reason="wrong meter", acting_user=admin_user)
    paid_on, payable_ct = dt.date(2026, 2, 10), Decimal(24)  # 23.75 ct, rounded
    booked_wrongly = services.payment_record(
        invoice=corrected.corrected, paid_on=paid_on, amount_ct=payable_ct, reference="SEPA 1"
    )
    services.payment_undo(payment=booked_wrongly, reason="wrong invoice", acting_user=admin_user)
    services.payment_record(invoice=corrected.corrected, paid_on=paid_on, amount_ct=payable_ct, reference="SEPA 2")
    MeterChange.objects.create(
        house=house,
        changed_at=dt.datetime(2026, 2, 3, 10, tzinfo=dt.UTC),
        old_ei_final_kwh=Decimal("1200.5"),
        old_eo_final_kwh=Decimal("800"),
        new_ei_start_kwh=Decimal("0"),
        new_eo_start_kwh=Decimal("0"),
    )
    ImportJob.objects.create(
        community=community, file="imports/readings.csv", original_name="readings.csv", started_by=admin_user
    )
    live_records(house)


def live_records(house):
    """What the live meter feed writes: a meter's state, an event, an unknown meter."""
    at = dt.datetime(2026, 2, 3, 10, tzinfo=dt.UTC)
    LiveMeterState.objects.create(
        house=house, last_message_at=at, ei_kwh=Decimal("1.5"), eo_kwh=Decimal("0.25"), open_start=at, received_at=at
    )
    MeterEvent.objects.create(house=house, at=at, kind=MeterEvent.Kind.WENT_BACK, ei_kwh=Decimal("0"))
    UnknownMeter.objects.create(key="1ESY999", topic="tele/x/SENSOR", first_seen=at, last_seen=at)
    meter_token_issue(house=house)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model.__name__)
def test_changelist_and_change_page_open(admin_client, every_record, model):
    obj = model.objects.first()
    info = (model._meta.app_label, model._meta.model_name)

    changelist = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    change = admin_client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk]))

    assert changelist.status_code == 200
    assert change.status_code == 200


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model.__name__)
def test_add_page_opens_or_is_refused_for_computed_records(admin_client, rf, admin_user, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    info = (model._meta.app_label, model._meta.model_name)

    response = admin_client.get(reverse("admin:{}_{}_add".format(*info)))

    assert response.status_code == (200 if model_admin.has_add_permission(request) else 403)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model.__name__)
def test_anonymous_users_are_sent_to_the_login_page(client, model):
    info = (model._meta.app_label, model._meta.model_name)

    response = client.get(reverse("admin:{}_{}_changelist".format(*info)))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
