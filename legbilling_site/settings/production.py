"""Production: the base settings with DEBUG off by default and HTTPS hardening."""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("EMAIL_BACKEND", "smtp")

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    raise ImproperlyConfigured("The production settings refuse DEBUG=1; use settings.base.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
