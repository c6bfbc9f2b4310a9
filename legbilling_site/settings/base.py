"""All settings, driven by the environment.

The defaults give the embedded set-up a newcomer runs without installing anything: SQLite in the
project folder and django-q2 on the Django ORM broker. Production sets DATABASE_URL (PostgreSQL),
REDIS_URL, SECRET_KEY and ALLOWED_HOSTS; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from core import spreadsheets

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off.")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_q",
    "auditlog",
    "communities",
    "metering",
    "invoicing",
    "demo",
    # After metering: metering's `import` command (which refuses meter data) shadows the library's.
    "import_export",
    # Login throttling: failed logins by username and client address, lock-outs in the admin.
    "axes",
]

MIDDLEWARE = [
    # First, so every later line logged for a request carries its id (core/log_context.py).
    "core.log_context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Names the logged-in user on every audit entry a request writes (core/audit.py).
    "auditlog.middleware.AuditlogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "legbilling_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {% csp_nonce_attr %} on the few inline scripts and styles the admin has.
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "legbilling_site.wsgi.application"

# SQLite is the embedded default. WAL and IMMEDIATE transactions let the web server and the
# django-q2 cluster write to the same file without "database is locked" on the first write.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Django's SQLite backend, keeping the database guards when a migration rebuilds a table.
    DATABASES["default"]["ENGINE"] = "core.backends.sqlite3"
    # Tests in memory, as Django's own SQLite backend does: pytest-django tells SQLite by the ENGINE
    # name alone and would otherwise look for a test database file per xdist worker.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
# The German catalogue (locale/de/LC_MESSAGES/django.po); ./dev and the tests compile its .mo.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Stored and computed in UTC. Times shown to staff (lists, forms, history, job progress) are in
# this zone; each community's own zone decides its calendar (periods, tariff days, memberships).
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))

LOGIN_URL = "admin:login"

# Security. A staff session lasts a working day; cookies are kept from scripts; no page may be
# framed. The Content-Security-Policy allows this site's own scripts, styles, images and fonts and
# nothing from another origin; the few inline <script>/<style> blocks carry the per-response nonce
# ({% csp_nonce_attr %}). settings.production adds HTTPS-only cookies, HSTS and the proxy header.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# django-axes: LEG_LOGIN_FAILURE_LIMIT failed logins for one username from one client address
# lock that pair out for LEG_LOGIN_COOLOFF_HOURS; superusers see and clear lock-outs in the admin
# (Axes → Access attempts). Behind a reverse proxy the client address is read from
# X-Forwarded-For, trusting exactly LEG_TRUSTED_PROXIES proxies (core/client_ip.py); with 0 (no
# proxy) it is the connection's address and the header is ignored.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Its admin pages span every community: communities/admin.py registers them for superusers only.
AXES_ENABLE_ADMIN = False
AXES_FAILURE_LIMIT = int(os.environ.get("LEG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LEG_LOGIN_COOLOFF_HOURS", "1"))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
LEG_TRUSTED_PROXIES = int(os.environ.get("LEG_TRUSTED_PROXIES", "0"))

# django-q2. The ORM broker needs nothing installed; REDIS_URL switches to Redis for larger
# set-ups, where more clusters on more machines share one queue.
#
# timeout: a task slower than this is killed. Long jobs are split into batches that each
#   finish well inside it, so it can stay short enough to notice a hung worker.
# retry: a broker re-delivers a task not acknowledged after this many seconds. It must exceed
#   timeout, or a task still running would be handed to a second worker.
# max_attempts: a task that keeps failing stops after this many deliveries instead of
#   looping forever; its failure is visible in the admin under "Failed tasks".
Q_CLUSTER = {
    # One queue per name: parallel clusters of different installations on one Redis stay apart.
    "name": os.environ.get("Q_CLUSTER_NAME", "legbilling"),
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 300,
    "retry": 420,
    "max_attempts": 3,
    "ack_failures": True,
    "save_limit": 500,
    "catch_up": False,
    "label": "Background tasks",
}
if os.environ.get("REDIS_URL"):
    Q_CLUSTER["redis"] = os.environ["REDIS_URL"]
else:
    Q_CLUSTER["orm"] = "default"
    # The ORM broker polls; half a second keeps admin actions responsive without busy-looping.
    Q_CLUSTER["poll"] = 0.5

# Scheduled closing (manage.py schedule_period_closing): each community's previous month is
# closed this many days after it ends in the community's time zone, leaving time for late meter
# data; the schedule runs daily at LEG_CLOSE_RUN_AT (UTC, HH:MM).
LEG_CLOSE_GRACE_DAYS = int(os.environ.get("LEG_CLOSE_GRACE_DAYS", "5"))
LEG_CLOSE_RUN_AT = os.environ.get("LEG_CLOSE_RUN_AT", "02:30")
# The nightly billing verification (manage.py verify_billing --schedule): daily at this UTC time.
LEG_VERIFY_RUN_AT = os.environ.get("LEG_VERIFY_RUN_AT", "03:30")
# A close without progress, or a PDF still waiting, this many minutes on is shown as stuck (period
# page, admin index) with "Resume", and the schedule resumes it. A step or a PDF batch takes seconds.
LEG_STUCK_AFTER_MINUTES = int(os.environ.get("LEG_STUCK_AFTER_MINUTES", "10"))

# E-mail to members (invoices, cancellation notes), through Django's mailers. EMAIL_BACKEND is
# "console" (the default: the task cluster prints each message), "file" (each message saved under
# EMAIL_FILE_PATH, as ./dev start does for the demo), "smtp" (production: EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or EMAIL_USE_SSL, EMAIL_TIMEOUT), or the
# dotted path of another backend. Tests send into Django's in-memory outbox.
EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}
_email_backend = os.environ.get("EMAIL_BACKEND", "file" if os.environ.get("EMAIL_FILE_PATH") else "console")
_email_options = {
    "file": {"file_path": os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))},
    "smtp": {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        # None: 25, or 587 with TLS, 465 with SSL.
        "port": int(os.environ["EMAIL_PORT"]) if os.environ.get("EMAIL_PORT") else None,
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "use_ssl": env_bool("EMAIL_USE_SSL", False),
        "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
    },
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKENDS.get(_email_backend, _email_backend),
        "OPTIONS": _email_options.get(_email_backend, {}),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "LEG-Invoicing <invoices@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Meter-data files (admin import page, import_readings, background jobs), checked before parsing.
# LEG_IMPORT_MAX_BYTES: the largest file accepted (default 50 MB).
# LEG_IMPORT_MAX_ROWS: the most data rows one file may hold. 3,000,000 is a year of quarter hours
#   for 85 houses (35,040 rows each), more than any month a community uploads; the engine keeps
#   ~36 bytes per valid row plus one 100,000-row chunk, so a full file stays near 400 MB of memory.
# LEG_IMPORT_KEEP_DAYS: days an uploaded file is kept after its import finished (0: deleted at
#   once); `manage.py purge_import_files` (run daily) removes older ones and abandoned previews.
LEG_IMPORT_MAX_BYTES = int(os.environ.get("LEG_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
LEG_IMPORT_MAX_ROWS = int(os.environ.get("LEG_IMPORT_MAX_ROWS", "3000000"))
LEG_IMPORT_KEEP_DAYS = int(os.environ.get("LEG_IMPORT_KEEP_DAYS", "0"))

# Live meter data (`manage.py ingest_meters`, README "Live meter data"):
# LEG_MQTT_URL: the broker, mqtt://user:password@host:1883 (mqtts:// for TLS).
# LEG_MQTT_TOPIC: the topic filter of the meters' Tasmota messages.
# LEG_MQTT_CLIENT_ID: the ingester's fixed client id; its broker session keeps messages while it is down.
# LEG_MQTT_SESSION_EXPIRY: seconds the broker keeps that session (and queues messages) while it is gone.
LEG_MQTT_URL = os.environ.get("LEG_MQTT_URL", "mqtt://127.0.0.1:1883")
LEG_MQTT_TOPIC = os.environ.get("LEG_MQTT_TOPIC", "tele/+/SENSOR")
LEG_MQTT_CLIENT_ID = os.environ.get("LEG_MQTT_CLIENT_ID", "leg-ingest")
LEG_MQTT_SESSION_EXPIRY = int(os.environ.get("LEG_MQTT_SESSION_EXPIRY", str(7 * 24 * 3600)))
# LEG_API_RATE: requests one meter token may make to the push API, e.g. 60/m (per process's cache).
# LEG_HEALTHZ_BROKER: whether GET /healthz also needs the MQTT broker (0 on a site without live feed).
LEG_API_RATE = os.environ.get("LEG_API_RATE", "60/m")
LEG_HEALTHZ_BROKER = os.environ.get("LEG_HEALTHZ_BROKER", "1").lower() not in ("0", "false", "no", "off")

# django-import-export asks for one permission per direction (its default, None, lets every staff
# user import and export every model): exporting needs "view"; importing needs "add", and the
# meter-reading import also "change", since a re-import updates readings (metering/admin.py).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Every admin export (readings, houses, invoices, ...) is written by the project's spreadsheet-safe
# formats: formula cells neutralised, decimal points whatever the language (core/spreadsheets.py).
EXPORT_FORMATS = spreadsheets.EXPORT_FORMATS

# One handler, on the root logger. Django's own default configuration also gives the "django"
# logger a console handler while DEBUG is on, and that logger propagates to the root: every
# django.* line (requests, errors) came out twice. Naming "django" here drops its handlers.
# Each line names the request or task it belongs to (core/log_context.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context_id": {"()": "core.log_context.ContextIdFilter"}},
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s [%(context_id)s] %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context_id"], "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # django-axes logs every start and every successful login at INFO; lock-outs are WARNING.
        "axes": {"level": "WARNING"},
    },
}

# The audit trail records who changed what, not from where: behind a proxy the client address
# would come from an X-Forwarded-For header anyone can set.
AUDITLOG_DISABLE_REMOTE_ADDR = True
