"""``manage.py import_readings``: output and exit codes."""

import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from metering.models import MeterReading
from tests.factories import CommunityFactory, HouseFactory

from .import_helpers import INTERVAL_HEADER, csv_bytes

pytestmark = pytest.mark.django_db

GOOD = [
    INTERVAL_HEADER,
    ["house_1", "2026-10-01T00:00:00Z", "1.5", "0.25"],
    ["house_1", "2026-10-01T00:15:00Z", "1", "0"],
]


@pytest.fixture
def community():
    community = CommunityFactory(slug="sonnenfeld")
    HouseFactory(community=community, house_id="house_1")
    return community


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "good.csv"
    path.write_bytes(csv_bytes(GOOD))
    return path


def test_a_good_file_prints_the_counts(community, good_file, capsys):
    call_command("import_readings", str(good_file), "--community", "sonnenfeld")

    out = capsys.readouterr().out
    assert "Rows read:  2" in out and "Created:    2" in out and "Errors:     0" in out
    assert MeterReading.objects.count() == 2


def test_dry_run_writes_nothing(community, good_file, capsys):
    call_command("import_readings", str(good_file), "--community", "sonnenfeld", "--dry-run")

    assert "Created:    2" in capsys.readouterr().out
    assert MeterReading.objects.count() == 0


def test_a_broken_file_lists_the_errors_and_fails(community, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([INTERVAL_HEADER, ["house_1", "2026-10-01T00:00:00Z", "x", "0"]]))

    with pytest.raises(CommandError, match="1 errors: nothing was imported"):
        call_command("import_readings", str(path), "--community", "sonnenfeld")

    assert "Row 2, column 'energy_exported_kwh', value 'x': is not a number" in capsys.readouterr().err


def test_unknown_community_and_missing_file(community, good_file):
    with pytest.raises(CommandError, match="No community with slug 'nowhere'"):
        call_command("import_readings", str(good_file), "--community", "nowhere")
    with pytest.raises(CommandError, match="Cannot open"):
        call_command("import_readings", "/nonexistent.csv", "--community", "sonnenfeld")


@pytest.mark.parametrize(
    ("rows", "code"), [(GOOD, 0), ([INTERVAL_HEADER, ["house_9", "2026-10-01T00:00:00Z", "1", "0"]], 1)]
)
def test_exit_codes(tmp_path, rows, code, settings):
    """A real process, so the exit code is the shell's. It uses its own SQLite file database."""
    path = tmp_path / "data.csv"
    path.write_bytes(csv_bytes(rows))
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "legbilling_site.settings.base",
        "PATH": "/usr/bin:/bin",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from communities.models import *; import datetime as d; "
            "c=Community.objects.create(name='S', slug='s', legal_name='S', address='A'); "
            "House.objects.create(community=c, house_id='house_1', name='H', owner_name='O', address='A', active_from=d.date(2020,1,1))",
        ],
        env=env,
        check=True,
        cwd=settings.BASE_DIR,
        capture_output=True,
    )

    done = subprocess.run(
        [*manage, "import_readings", str(path), "--community", "s"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )

    assert done.returncode == code, done.stderr


@override_settings(LEG_IMPORT_MAX_ROWS=1)
def test_a_file_over_the_row_limit_is_refused_naming_the_limit(community, good_file, capsys):
    with pytest.raises(CommandError):
        call_command("import_readings", str(good_file), "--community", "sonnenfeld")

    assert "at most 1 are accepted (LEG_IMPORT_MAX_ROWS)" in capsys.readouterr().err
    assert not MeterReading.objects.exists()
