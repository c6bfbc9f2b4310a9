"""Settings from the environment, as the README documents them. Each case imports the settings in a
fresh interpreter, since they are read once at import."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DOCUMENTED = (
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "MEDIA_ROOT",
    "REDIS_URL",
    "LANGUAGE_CODE",
    "Q_WORKERS",
    "TIME_ZONE",
)


def base_settings(**env) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in DOCUMENTED}
    script = (
        "import json; from legbilling_site.settings import base as s; "
        "print(json.dumps({'db': s.DATABASES['default'], 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'q': s.Q_CLUSTER, 'media': str(s.MEDIA_ROOT), 'language': s.LANGUAGE_CODE, "
        "'time_zone': s.TIME_ZONE, 'use_tz': s.USE_TZ}))"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def settings_with(**env) -> dict:
    result = base_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_are_the_embedded_set_up():
    settings = settings_with()

    assert settings["db"]["ENGINE"] == "core.backends.sqlite3"
    assert settings["db"]["NAME"] == str(PROJECT / "db.sqlite3")
    assert settings["debug"] is True
    assert settings["hosts"] == ["127.0.0.1", "localhost"]
    assert settings["q"]["orm"] == "default" and "redis" not in settings["q"]


def test_database_url_switches_to_postgresql():
    settings = settings_with(DATABASE_URL="postgres://billing@db.example:5432/legbilling")

    assert settings["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert (settings["db"]["NAME"], settings["db"]["HOST"]) == ("legbilling", "db.example")


def test_redis_url_switches_the_task_broker_to_redis():
    settings = settings_with(REDIS_URL="redis://127.0.0.1:6379/0", Q_WORKERS="4")

    assert settings["q"]["redis"] == "redis://127.0.0.1:6379/0"
    assert "orm" not in settings["q"]
    assert settings["q"]["workers"] == 4


def test_debug_off_without_secret_key_refuses_to_start():
    result = base_settings(DEBUG="0")

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_with_secret_key_serves_only_the_allowed_hosts():
    settings = settings_with(DEBUG="off", SECRET_KEY="x" * 50, ALLOWED_HOSTS="billing.example, www.billing.example")

    assert settings["debug"] is False
    assert settings["hosts"] == ["billing.example", "www.billing.example"]


@pytest.mark.parametrize(
    ("name", "value", "key", "expected"),
    [
        ("MEDIA_ROOT", "/srv/media", "media", "/srv/media"),
        ("LANGUAGE_CODE", "de", "language", "de"),
        ("TIME_ZONE", "Europe/Vienna", "time_zone", "Europe/Vienna"),
    ],
)
def test_paths_and_language_come_from_the_environment(name, value, key, expected):
    assert settings_with(**{name: value})[key] == expected


def test_staff_see_berlin_time_by_default_and_values_stay_aware():
    settings = settings_with()

    assert (settings["time_zone"], settings["use_tz"]) == ("Europe/Berlin", True)


def test_the_test_settings_remove_their_media_folder_when_the_process_ends():
    script = "from legbilling_site.settings import test as s; print(s.MEDIA_ROOT)"
    run = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)

    media_root = Path(run.stdout.strip())
    assert media_root.name.startswith("legbilling-test-media-") and not media_root.exists()
