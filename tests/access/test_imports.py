"""Meter-data imports of a community manager: only into their communities, only their houses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.access import community_manager_add
from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory
from tests.metering.import_helpers import INTERVAL_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:metering_meterreading_import")
PROCESS_URL = reverse("admin:metering_meterreading_process_import")


def readings_of(house_id: str) -> bytes:
    return csv_bytes([INTERVAL_HEADER, [house_id, "2026-10-01T00:00:00Z", "1.5", "0.25"]], delimiter=";")


@pytest.fixture
def communities():
    own, other = CommunityFactory(slug="sonnenfeld"), CommunityFactory(slug="windpark")
    HouseFactory(community=own, house_id="house_1")
    HouseFactory(community=other, house_id="wind_7")
    return own, other


@pytest.fixture
def manager_client(client, django_user_model, communities):
    """A member of the group "Community manager", managing Sonnenfeld only."""
    django_user_model.objects.create_user(username="manager")
    membership, _ = community_manager_add(username="manager", community_slug="sonnenfeld")
    client.force_login(membership.user)
    return client


def upload(client, community, data):
    form = {"community": community.pk, "format": "0", "resource": "0"}
    return client.post(IMPORT_URL, {**form, "import_file": SimpleUploadedFile("readings.csv", data)})


def test_the_import_page_offers_only_own_communities(manager_client, communities):
    form = manager_client.get(IMPORT_URL).context["form"]

    assert list(form.fields["community"].queryset) == [communities[0]]


def test_a_file_for_another_community_is_refused(manager_client, communities):
    response = upload(manager_client, communities[1], readings_of("wind_7"))

    assert "community" in response.context["form"].errors
    assert not MeterReading.objects.exists()


def test_rows_of_another_communitys_houses_are_errors(manager_client, communities):
    preview = upload(manager_client, communities[0], readings_of("wind_7"))

    assert preview.context["result"].has_validation_errors() or preview.context["result"].has_errors()
    assert not MeterReading.objects.exists()


def test_a_confirm_naming_another_community_writes_nothing(manager_client, communities):
    preview = upload(manager_client, communities[0], readings_of("house_1"))
    confirm = {**preview.context["confirm_form"].initial, "community": communities[1].pk, "confirm": "1"}

    response = manager_client.post(PROCESS_URL, confirm)

    assert "community" in response.context["errors"]
    assert not MeterReading.objects.exists()


HOUSES_IMPORT_URL = reverse("admin:communities_house_import")


def test_the_houses_import_offers_only_own_communities(manager_client, communities):
    form = manager_client.get(HOUSES_IMPORT_URL).context["form"]

    assert list(form.fields["community"].queryset) == [communities[0]]


def test_a_houses_file_for_another_community_is_refused(manager_client, communities):
    data = b"house_id,name,owner_name,address,active_from\nwind_8,Windweg 8,Eva Wind,Windweg 8,2026-01-01\n"
    form = {"community": communities[1].pk, "format": "0", "resource": "0"}

    response = manager_client.post(HOUSES_IMPORT_URL, {**form, "import_file": SimpleUploadedFile("houses.csv", data)})

    assert "community" in response.context["form"].errors
    assert not communities[1].houses.filter(house_id="wind_8").exists()
