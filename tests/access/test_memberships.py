"""Memberships: ``add_community_manager``, the two groups, auditors, and the admin index's panel."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.urls import reverse

from communities.access import AUDITOR_GROUP, MANAGER_GROUP
from communities.models import CommunityManager, House
from tests.factories import CommunityFactory, HouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(django_user_model):
    CommunityFactory(slug="sonnenfeld")
    return django_user_model.objects.create_user(username="clerk", password="secret")


def groups_of(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_the_command_makes_a_staff_manager_of_the_community(clerk):
    call_command("add_community_manager", "clerk", "sonnenfeld")

    clerk.refresh_from_db()
    assert clerk.is_staff and groups_of(clerk) == {MANAGER_GROUP}
    assert CommunityManager.objects.get(user=clerk).community.slug == "sonnenfeld"


def test_the_command_run_twice_changes_nothing(clerk):
    call_command("add_community_manager", "clerk", "sonnenfeld")
    call_command("add_community_manager", "clerk", "sonnenfeld")

    assert CommunityManager.objects.filter(user=clerk).count() == 1
    assert groups_of(clerk) == {MANAGER_GROUP}


def test_auditor_replaces_manager_for_that_community(clerk):
    call_command("add_community_manager", "clerk", "sonnenfeld")
    call_command("add_community_manager", "clerk", "sonnenfeld", "--auditor")

    assert CommunityManager.objects.get(user=clerk).is_auditor
    assert groups_of(clerk) == {AUDITOR_GROUP}


def test_the_command_names_an_unknown_community(clerk):
    with pytest.raises(CommandError, match="windpark"):
        call_command("add_community_manager", "clerk", "windpark")


def test_the_auditor_group_may_only_view():
    permissions = Group.objects.get(name=AUDITOR_GROUP).permissions.values_list("codename", flat=True)

    assert permissions and all(codename.startswith("view_") for codename in permissions)


def test_closing_cancelling_and_payments_are_the_managers_own_permissions_but_forcing_is_not():
    codenames = set(Group.objects.get(name=MANAGER_GROUP).permissions.values_list("codename", flat=True))

    assert {"close_period", "cancel_invoice", "record_payment"} <= codenames
    assert "force_period" not in codenames


def test_an_auditor_sees_a_house_but_cannot_change_it(client, clerk):
    house = HouseFactory(community=CommunityFactory(slug="sonnenfeld"), house_id="house_1", name="Sonnenweg 1")
    call_command("add_community_manager", "clerk", "sonnenfeld", "--auditor")
    client.force_login(clerk)
    url = reverse("admin:communities_house_change", args=[house.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Changed"}).status_code == 403
    assert House.objects.get(pk=house.pk).name == "Sonnenweg 1"


def test_a_manager_and_auditor_of_two_communities_changes_only_the_managed_one(client, clerk):
    managed = HouseFactory(community=CommunityFactory(slug="sonnenfeld"))
    audited = HouseFactory(community=CommunityFactory(slug="windpark"))
    call_command("add_community_manager", "clerk", "sonnenfeld")
    call_command("add_community_manager", "clerk", "windpark", "--auditor")
    client.force_login(clerk)

    delete = {"action": "delete_selected", "_selected_action": [managed.pk, audited.pk], "post": "yes"}
    client.post(reverse("admin:communities_house_changelist"), delete)

    assert list(House.objects.all()) == [audited]


def test_the_user_page_edits_a_users_communities(admin_client, clerk):
    page = admin_client.get(reverse("admin:auth_user_change", args=[clerk.pk]))

    assert "community_memberships-TOTAL_FORMS" in page.text
