"""communities.management.lookups: the --community argument every command shares."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from communities.management.lookups import community_by_slug
from tests.factories import CommunityFactory


@pytest.mark.django_db
def test_a_known_slug_gives_its_community():
    community = CommunityFactory(slug="lindenhof")

    assert community_by_slug("lindenhof") == community


@pytest.mark.django_db
def test_an_unknown_slug_lists_the_known_ones_in_order():
    CommunityFactory(slug="sonnenfeld", name="Sonnenfeld")
    CommunityFactory(slug="lindenhof", name="Lindenhof")

    with pytest.raises(
        CommandError, match=r"^No community with slug 'nowhere'\. Known communities: lindenhof, sonnenfeld\.$"
    ):
        community_by_slug("nowhere")


@pytest.mark.django_db
def test_an_unknown_slug_on_an_empty_installation_says_none_yet():
    with pytest.raises(CommandError, match=r"Known communities: none yet\.$"):
        community_by_slug("nowhere")


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["import_houses", "import_readings"])
def test_both_import_commands_refuse_an_unknown_slug_alike(command, tmp_path):
    CommunityFactory(slug="lindenhof")

    with pytest.raises(CommandError, match=r"No community with slug 'nowhere'\. Known communities: lindenhof\."):
        call_command(command, str(tmp_path / "missing.csv"), community="nowhere")
