"""core.admin's helpers for big change lists: the month list, the plain checkbox."""

import datetime as dt

import pytest
from django.contrib import admin

from core.admin import PlainActionCheckboxMixin, months_between
from metering.models import MeterReading
from tests.factories import HouseFactory, add_readings


def test_months_between_crosses_the_year_and_includes_both_ends():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_months_between_one_month_is_that_month():
    assert months_between("2026-01", "2026-01") == ["2026-01"]


@pytest.mark.django_db
def test_the_plain_checkbox_is_the_html_of_django_s_checkbox_widget():
    add_readings(HouseFactory(house_id="house_<1>"), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), [("1", "0")])
    obj = MeterReading.objects.get()
    django_admin = admin.ModelAdmin(MeterReading, admin.site)

    assert PlainActionCheckboxMixin().action_checkbox(obj) == django_admin.action_checkbox(obj)
