"""``manage.py import_houses FILE --community SLUG [--dry-run]``."""

import pytest
from django.core.management import CommandError, call_command

from communities.models import House
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

GOOD = (
    "house_id,name,owner_name,address,email,active_from\n"
    "house_1,Lindenweg 1,Anna Beispiel,Lindenweg 1,anna@example.org,2026-01-01\n"
    "house_2,Lindenweg 2,Bernd Beispiel,Lindenweg 2,bernd@example.org,2026-01-01\n"
)


@pytest.fixture
def houses_file(tmp_path):
    path = tmp_path / "houses.csv"
    path.write_text(GOOD)
    return path


@pytest.fixture
def community():
    return CommunityFactory(slug="lindenhof")


def test_the_command_imports_the_houses_and_reports_the_counts(community, houses_file, capsys):
    call_command("import_houses", str(houses_file), community="lindenhof")

    out = capsys.readouterr().out
    assert "New:        2" in out
    assert "complete." in out
    assert House.objects.filter(community=community).count() == 2


def test_a_second_run_says_that_nothing_changed(community, houses_file, capsys):
    call_command("import_houses", str(houses_file), community="lindenhof")
    capsys.readouterr()

    call_command("import_houses", str(houses_file), community="lindenhof")

    out = capsys.readouterr().out
    assert "Unchanged:  2" in out
    assert "Nothing changed" in out


def test_a_bad_row_is_listed_on_stderr_and_the_command_fails_writing_nothing(community, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD.replace("bernd@example.org", "bernd@"))

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_houses", str(bad), community="lindenhof")

    assert "Row 3, email 'bernd@': Enter a valid email address." in capsys.readouterr().err
    assert House.objects.count() == 0


def test_an_unknown_community_slug_is_refused_with_the_known_ones(community, houses_file):
    with pytest.raises(CommandError, match=r"No community with slug 'nowhere'\. Known communities: lindenhof\."):
        call_command("import_houses", str(houses_file), community="nowhere")


def test_a_dry_run_writes_nothing(community, houses_file, capsys):
    call_command("import_houses", str(houses_file), community="lindenhof", dry_run=True)

    assert "Dry run: nothing was written." in capsys.readouterr().out
    assert House.objects.count() == 0


def test_a_missing_file_is_a_clear_error(community, tmp_path):
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("import_houses", str(tmp_path / "missing.csv"), community="lindenhof")


def test_the_generic_import_refuses_houses_and_points_to_import_houses(community, houses_file):
    with pytest.raises(CommandError, match="import_houses FILE --community SLUG"):
        call_command("import", "communities.House", str(houses_file), "--no-input")

    assert House.objects.count() == 0
