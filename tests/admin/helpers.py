"""Admin URLs, permission grants and action posts shared by the admin tests."""

import datetime as dt

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from communities.models import Community, House
from invoicing.models import Invoice, InvoiceNumberCounter, SettlementPeriod, Tariff
from metering.models import MeterReading

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
REGISTERED = [Community, House, MeterReading, Tariff, SettlementPeriod, Invoice, InvoiceNumberCounter]


def grant(user, *codenames):
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def offered_actions(response):
    action_form = response.context["action_form"]
    return [] if action_form is None else [name for name, _ in action_form.fields["action"].choices if name]


def post_action(client, action, periods, *, confirm, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [period.pk for period in periods], **extra}
    if confirm:
        data["post"] = "yes"
    else:
        data["index"] = "0"  # the change list's action bar sends its index
    return client.post(changelist(SettlementPeriod), data)
