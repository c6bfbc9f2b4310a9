"""Production: the base settings with DEBUG off and HTTPS hardening, refusing to start half-configured.

Runs behind a reverse proxy that terminates HTTPS and sets X-Forwarded-Proto (README.md, "Running
in production"). `python manage.py check --deploy --fail-level WARNING` passes with these settings.
"""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("EMAIL_BACKEND", "smtp")

for _required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not os.environ.get(_required, "").strip():
        raise ImproperlyConfigured(f"The production settings need {_required} in the environment (README.md).")


def weak_secret_key(key: str) -> str | None:
    """Why a SECRET_KEY is too weak to sign sessions with, or None. The same bar as Django's check."""
    if "changeme" in key.lower() or key.startswith("django-insecure"):
        return "it is a placeholder"
    if len(key) < 50:
        return "it is shorter than 50 characters"
    if len(set(key)) < 5:
        return "it has fewer than 5 different characters"
    return None


if (_weakness := weak_secret_key(os.environ["SECRET_KEY"])) is not None:
    raise ImproperlyConfigured(
        f"SECRET_KEY is weak: {_weakness}. Generate one with: "
        'python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

from .base import *  # noqa: E402, F403
from .base import DEBUG, env_bool  # noqa: E402

if DEBUG:
    raise ImproperlyConfigured("The production settings refuse DEBUG=1; use settings.base.")

# The proxy terminates HTTPS and says so in X-Forwarded-Proto; it must overwrite a header of that
# name sent by the client, or a plain-HTTP request could pass as secure.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS: browsers that saw the header refuse plain HTTP to this host (and its subdomains) for a year.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
