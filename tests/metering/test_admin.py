"""The readings admin in front of frozen meter data: read-only, refusals answered with a message, no false log."""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from metering.models import FrozenRange, MeterReading
from tests.factories import HouseFactory, add_readings

pytestmark = pytest.mark.django_db

JANUARY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FEBRUARY = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)


@pytest.fixture
def frozen_reading():
    house = HouseFactory(house_id="house_1")
    add_readings(house, FEBRUARY - dt.timedelta(minutes=15), [("1", "0"), ("2", "0")])
    FrozenRange.objects.create(community=house.community, start=JANUARY, end=FEBRUARY, reason="Period 2026-01 closed")
    return MeterReading.objects.get(interval_start__lt=FEBRUARY)


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_the_change_form_of_a_frozen_reading_is_read_only_and_says_why(admin_client, frozen_reading):
    response = admin_client.get(reverse("admin:metering_meterreading_change", args=[frozen_reading.pk]))

    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert "lies in a closed settlement period (Period 2026-01 closed)" in messages_of(response)


def test_saving_a_frozen_reading_is_refused_with_a_message(admin_client, frozen_reading):
    url = reverse("admin:metering_meterreading_change", args=[frozen_reading.pk])
    moved = {"house": frozen_reading.house_id, "exported_wh": 9, "imported_wh": 0}
    moved |= {"interval_start_0": "2026-02-01", "interval_start_1": "01:00:00"}

    response = admin_client.post(url, moved, follow=True)

    assert response.status_code == 200
    assert "Nothing was changed" in messages_of(response)
    frozen_reading.refresh_from_db()
    assert (frozen_reading.interval_start, frozen_reading.exported_wh) == (FEBRUARY - dt.timedelta(minutes=15), 1000)
    assert not LogEntry.objects.exists()


def test_deleting_a_frozen_reading_is_refused_with_a_message_and_no_log(admin_client, frozen_reading):
    url = reverse("admin:metering_meterreading_delete", args=[frozen_reading.pk])

    response = admin_client.post(url, {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "Nothing was deleted" in messages_of(response)
    assert MeterReading.objects.filter(pk=frozen_reading.pk).exists()
    assert not LogEntry.objects.exists()


def test_bulk_deleting_a_selection_with_frozen_readings_deletes_nothing_and_logs_nothing(admin_client, frozen_reading):
    selected = list(MeterReading.objects.values_list("pk", flat=True))

    response = admin_client.post(
        reverse("admin:metering_meterreading_changelist"),
        {"action": "delete_selected", "_selected_action": selected, "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 of the selected meter readings cannot be deleted" in messages_of(response)
    assert MeterReading.objects.count() == 2
    assert not LogEntry.objects.exists()


def test_bulk_deleting_open_readings_still_works(admin_client, frozen_reading):
    open_reading = MeterReading.objects.get(interval_start=FEBRUARY)

    admin_client.post(
        reverse("admin:metering_meterreading_changelist"),
        {"action": "delete_selected", "_selected_action": [open_reading.pk], "post": "yes"},
    )

    assert list(MeterReading.objects.all()) == [frozen_reading]
