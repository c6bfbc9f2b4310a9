"""The houses admin's import (choose community and file, preview, confirm) and export pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.house_import import EXPORT_COLUMNS
from communities.models import House
from tests.admin.helpers import grant
from tests.factories import CommunityFactory, HouseFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:communities_house_import"
PROCESS_URL = "admin:communities_house_process_import"
EXPORT_URL = "admin:communities_house_export"
GOOD = (
    b"house_id;name;owner_name;address;email;active_from\r\n"
    b"house_1;Lindenweg 1;Anna Beispiel;Lindenweg 1;anna@example.org;2026-01-01\r\n"
    b"house_2;Lindenweg 2;Bernd Beispiel;Lindenweg 2;bernd@example.org;2026-01-01\r\n"
)


@pytest.fixture
def community():
    return CommunityFactory(slug="lindenhof")


@pytest.fixture
def staff_client(client, django_user_model):
    """Logged in as staff with no permissions at all."""
    user = django_user_model.objects.create_user(username="clerk", password="secret", is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def upload(client, community, data, name="houses.csv"):
    return client.post(
        reverse(IMPORT_URL),
        {"community": community.pk, "format": "0", "resource": "0", "import_file": SimpleUploadedFile(name, data)},
    )


def test_preview_then_confirm_imports_the_houses_into_the_chosen_community(admin_client, community):
    assert admin_client.get(reverse(IMPORT_URL)).status_code == 200

    preview = upload(admin_client, community, GOOD)

    assert preview.status_code == 200
    assert House.objects.count() == 0  # the preview is a dry run
    confirm = preview.context["confirm_form"]
    done = admin_client.post(reverse(PROCESS_URL), {**confirm.initial, "confirm": "1"}, follow=True)
    assert done.status_code == 200
    assert set(House.objects.filter(community=community).values_list("house_id", flat=True)) == {"house_1", "house_2"}


def test_the_preview_of_a_bad_file_shows_the_row_and_field_and_offers_no_confirm(admin_client, community):
    preview = upload(admin_client, community, GOOD.replace(b"bernd@example.org", b"bernd@"))

    assert preview.context.get("confirm_form") is None
    invalid = preview.context["result"].invalid_rows
    assert [(row.number, list(row.field_specific_errors)) for row in invalid] == [(3, ["email"])]
    assert "<li>Row 3, email: Enter a valid email address.</li>" in preview.content.decode()
    assert House.objects.count() == 0


def test_a_refused_header_is_shown_with_what_to_do_and_no_traceback(admin_client, community):
    preview = upload(admin_client, community, b"name;owner_name\r\nA;B\r\n")

    page = preview.content.decode()
    assert "Row 1, the header, has no column house_id" in page
    assert "Traceback" not in page


def test_a_file_that_cannot_be_read_is_answered_on_the_form_with_why(admin_client, community):
    response = upload(admin_client, community, b"\xd0\xcf\x11\xe0" + b"\x00" * 64, name="houses.xls")

    assert "Save it as XLSX or CSV" in response.content.decode()


def test_importing_needs_the_add_and_the_change_permission(staff_client):
    grant(staff_client.user, "view_house", "add_house")
    assert staff_client.get(reverse(IMPORT_URL)).status_code == 403

    grant(staff_client.user, "change_house")
    assert staff_client.get(reverse(IMPORT_URL)).status_code == 200


def test_export_offers_csv_and_xlsx_and_writes_the_columns_the_import_reads(admin_client, community):
    HouseFactory(community=community, house_id="house_1", name="Lindenweg 1")

    page = admin_client.get(reverse(EXPORT_URL))
    titles = [str(title) for _, title in page.context["form"].fields["format"].choices if _ != ""]
    chosen = {field: True for field in (f"houseresource_{name}" for name in EXPORT_COLUMNS)}
    response = admin_client.post(reverse(EXPORT_URL), {"format": str(titles.index("csv")), "resource": "0", **chosen})

    assert sorted(titles) == ["csv", "xlsx"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(EXPORT_COLUMNS)
    assert lines[1].startswith("lindenhof,house_1,Lindenweg 1,")


def test_a_refusal_found_only_on_confirm_writes_nothing_and_says_so(admin_client, community):
    data = GOOD.replace(b";active_from\r\n", b";active_from;meter_id\r\n").replace(b"01\r\n", b"01;1ESY7\r\n", 1)
    confirm = upload(admin_client, community, data).context["confirm_form"]
    HouseFactory(community=CommunityFactory(slug="other"), meter_id="1ESY7")  # meanwhile, in another tab

    done = admin_client.post(reverse(PROCESS_URL), {**confirm.initial, "confirm": "1"}, follow=True)

    shown = [str(message) for message in done.context["messages"]]
    assert "Row 2, meter_id '1ESY7': Another house already has this meter ID." in shown
    assert "Nothing was imported. Correct the file and import it again." in shown
    assert House.objects.filter(community=community).count() == 0
