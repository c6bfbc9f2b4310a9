"""Who may import and export readings: import needs "add" and "change", export needs "view"."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:metering_meterreading_import")
EXPORT_URL = reverse("admin:metering_meterreading_export")


@pytest.fixture
def staff_client(client):
    def login_with(*codenames):
        user = User.objects.create_user("clerk", password="x", is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client.force_login(user)
        return client

    return login_with


def test_a_staff_user_without_permissions_can_neither_import_nor_export(staff_client):
    client = staff_client()

    assert client.get(IMPORT_URL).status_code == 403
    assert client.get(EXPORT_URL).status_code == 403


def test_import_needs_add_and_change(staff_client):
    assert staff_client("add_meterreading").get(IMPORT_URL).status_code == 403


def test_a_user_who_may_add_and_change_readings_may_import(staff_client):
    assert staff_client("add_meterreading", "change_meterreading").get(IMPORT_URL).status_code == 200


def test_a_user_who_may_view_readings_may_export_but_not_import(staff_client):
    client = staff_client("view_meterreading")

    assert client.get(EXPORT_URL).status_code == 200
    assert client.get(IMPORT_URL).status_code == 403
