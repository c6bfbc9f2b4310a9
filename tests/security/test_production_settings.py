"""The production settings: Django's deployment check passes, and a half-configured start is refused.

Each case runs in a fresh interpreter, since settings are read once at import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent.parent
STRONG_KEY = "8e1A8OGAsNgaNkloNejkhir9c0aEXZoE9xgECPGWoi__UcxK8_5xEVWVl6Vv1L2q7yM"
CLEARED = ("DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def production_env(tmp_path, **overrides) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="legbilling_site.settings.production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="billing.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def manage(env, *args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )


def test_deployment_check_passes_with_a_complete_environment(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_refuses_to_start_without_a_required_setting(tmp_path, missing):
    result = manage(production_env(tmp_path, **{missing: None}), "check")

    assert result.returncode != 0
    assert f"need {missing}" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("changeme", "placeholder"),
        ("changeme-" + "x7Q2" * 20, "placeholder"),
        ("a2B4c6D8e0" * 4, "shorter than 50"),
        ("ab" * 40, "fewer than 5 different"),
    ],
)
def test_refuses_a_weak_secret_key(tmp_path, key, reason):
    result = manage(production_env(tmp_path, SECRET_KEY=key), "check")

    assert result.returncode != 0
    assert "SECRET_KEY is weak" in result.stderr and reason in result.stderr


def test_refuses_debug(tmp_path):
    result = manage(production_env(tmp_path, DEBUG="1"), "check")

    assert result.returncode != 0
    assert "refuse DEBUG=1" in result.stderr


def test_cookies_are_secure_and_hidden_from_scripts(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_AGE, s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS > 0)"
    )
    result = manage(production_env(tmp_path), "shell", "--no-imports", "-c", script)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True True True 28800 ('HTTP_X_FORWARDED_PROTO', 'https') True"
