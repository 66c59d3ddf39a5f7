"""Bedring settings: everything comes from the environment, with defaults for the embedded set-up.

A wrong value fails loudly at start-up and names the variable (STYLE.md, principle 11).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("BEDRING_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


TESTING = "pytest" in sys.modules or _env_bool("BEDRING_TESTING", False)
DEBUG = _env_bool("BEDRING_DEBUG", False)
# A demo install is marked by the file `make run` writes (var/demo-install); anything else is
# production unless BEDRING_DEMO says so. Production must set its own secret key: the demo
# key is in the source, and the demo-only `totp_code` command is refused outside a demo.
DEMO_MARKER = VAR_DIR / "demo-install"
DEMO = _env_bool("BEDRING_DEMO", DEMO_MARKER.exists())
# Commands that only read the code (they serve nothing, sign nothing and read no client) start
# without production secrets, so `manage.py makemigrations --check` works on a bare checkout.
CODE_ONLY_COMMANDS = frozenset({"makemigrations", "makemessages", "compilemessages"})
CODE_ONLY = (
    Path(sys.argv[0]).name == "manage.py"
    and len(sys.argv) > 1
    and sys.argv[1] in CODE_ONLY_COMMANDS
)
SECRET_KEY = os.environ.get("BEDRING_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEMO or DEBUG or TESTING or CODE_ONLY):
        raise ImproperlyConfigured(
            "BEDRING_SECRET_KEY must be set (or BEDRING_DEMO=true for a demo install)"
        )
    SECRET_KEY = "bedring-demo-only-not-secret-" + "x" * 32
# The key of the pseudonymous client key in register exports (HMAC-SHA256, TDI export): the
# same for every export so that a person keeps one key across years; its own secret, so that
# rotating the secret key does not change the pseudonyms, and never guessable from the data.
PSEUDONYM_KEY = os.environ.get("BEDRING_PSEUDONYM_KEY", "")
if not PSEUDONYM_KEY:
    if not (DEMO or DEBUG or TESTING or CODE_ONLY):
        raise ImproperlyConfigured(
            "BEDRING_PSEUDONYM_KEY must be set (or BEDRING_DEMO=true for a demo install)"
        )
    PSEUDONYM_KEY = "bedring-demo-pseudonym-key-not-secret-" + "y" * 32
elif len(PSEUDONYM_KEY) < 32 or PSEUDONYM_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "BEDRING_PSEUDONYM_KEY must be at least 32 characters and differ from BEDRING_SECRET_KEY"
    )
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("BEDRING_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the built-in widget templates, for the project's form renderer
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "django_htmx",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "bedring.core",
    "bedring.accounts",
    "bedring.clients",
    "bedring.audit",
    "bedring.pathway",
    "bedring.documents",
    "bedring.messaging",
    "bedring.catalogue",
    "bedring.journal",
    "bedring.appointments",
    "bedring.referrals",
    "bedring.medication",
    "bedring.health",
    "bedring.outreach",
    "bedring.outcomes",
    "bedring.registers",
    "bedring.interop",
    "bedring.rules",
    "bedring.demo",
    "bedring.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bedring.accounts.middleware.ApiTokenMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

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
                "django.template.context_processors.i18n",
                "bedring.accounts.context_processors.staff_context",
            ],
        },
    },
]

# The one form pattern (templates/forms/): error summary, legends, units.
FORM_RENDERER = "bedring.core.forms.PatternRenderer"

# SQLite file by default (zero set-up); PostgreSQL through DATABASE_URL.
_default_db = f"sqlite:///{VAR_DIR / 'bedring.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL", _default_db), conn_max_age=60
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL and a busy timeout let the dev server and a management command share the file.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The attendance's covering index (INCLUDE columns) serves PostgreSQL at national scale;
    # SQLite builds it on the key column alone, which is all the embedded install needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; the suite creates hundreds of users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:dashboard"

# Idle timeout: the session lives IDLE_MINUTES after the last request, then the staff member
# logs in again (with the second factor). A shared dispensing-desk PC must not stay open.
SESSION_IDLE_MINUTES = _env_int("BEDRING_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HTTPS = _env_bool("BEDRING_HTTPS", False)
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
if SECURE_HTTPS:
    # Behind TLS: cookies only over HTTPS, HSTS, and plain HTTP redirected.
    SECURE_SSL_REDIRECT = _env_bool("BEDRING_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _env_int("BEDRING_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# django-axes: lock a username from one address after repeated failures.
AXES_FAILURE_LIMIT = _env_int("BEDRING_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Bedring"

# django-csp 4: no inline script or style; htmx and our CSS are served from 'self'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("da", _("Danish")),
    ("nb", _("Norwegian Bokmål")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("BEDRING_TIME_ZONE", "Europe/Copenhagen")
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- Messages to clients (APT-3) and the task runner ------------------------------------------
# Background work (sending reminders, retrying them) runs on django-tasks with its database
# backend: a task is a row written in the same transaction as the message it sends, and
# `manage.py db_worker` (started by `make run`) runs it when it is due. The tests use the dummy
# backend (tasks are recorded, not run) and run the real one where they say so.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.dummy.DummyBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# A message that cannot be sent is tried again after 5, 10, 20, 40 minutes (doubling), then
# marked failed for staff to see on the outbox page.
MESSAGE_MAX_ATTEMPTS = _env_int("BEDRING_MESSAGE_MAX_ATTEMPTS", 5)
MESSAGE_RETRY_SECONDS = _env_int("BEDRING_MESSAGE_RETRY_SECONDS", 300)
if MESSAGE_MAX_ATTEMPTS < 1 or MESSAGE_RETRY_SECONDS < 1:
    raise ImproperlyConfigured(
        "BEDRING_MESSAGE_MAX_ATTEMPTS and BEDRING_MESSAGE_RETRY_SECONDS must be at least 1"
    )
# SMS: a generic HTTP API (a JSON POST with a bearer token) when BEDRING_SMS_URL is set; the
# console in a demo or development install; in tests an in-memory outbox. A production install
# without an SMS provider keeps SMS reminders failing visibly ("no SMS provider") rather than
# pretending to send them.
SMS_URL = os.environ.get("BEDRING_SMS_URL", "")
SMS_TOKEN = os.environ.get("BEDRING_SMS_TOKEN", "")
SMS_SENDER = os.environ.get("BEDRING_SMS_SENDER", "")
SMS_TIMEOUT_SECONDS = _env_int("BEDRING_SMS_TIMEOUT_SECONDS", 10)
if SMS_URL:
    if not SMS_URL.startswith(("https://", "http://")):
        raise ImproperlyConfigured(f"BEDRING_SMS_URL must be an http(s) URL, not {SMS_URL!r}")
    if not SMS_TOKEN:
        raise ImproperlyConfigured("BEDRING_SMS_TOKEN must be set when BEDRING_SMS_URL is")
    SMS_PROVIDER = "bedring.messaging.providers.HttpSmsProvider"
elif TESTING:
    SMS_PROVIDER = "bedring.messaging.providers.LocmemSmsProvider"
elif DEMO or DEBUG:
    SMS_PROVIDER = "bedring.messaging.providers.ConsoleSmsProvider"
else:
    SMS_PROVIDER = "bedring.messaging.providers.UnconfiguredSmsProvider"
# E-mail: SMTP when BEDRING_SMTP_HOST is set, the console in a demo or development install
# (the tests use Django's in-memory outbox), else SMTP to the local mail server (Django's
# default), whose refusal shows as a failed message.
EMAIL_HOST = os.environ.get("BEDRING_SMTP_HOST", "")
if EMAIL_HOST or not (DEMO or DEBUG):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_HOST or "localhost"
    EMAIL_PORT = _env_int("BEDRING_SMTP_PORT", 587 if os.environ.get("BEDRING_SMTP_HOST") else 25)
    EMAIL_HOST_USER = os.environ.get("BEDRING_SMTP_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("BEDRING_SMTP_PASSWORD", "")
    EMAIL_USE_TLS = _env_bool("BEDRING_SMTP_TLS", bool(os.environ.get("BEDRING_SMTP_HOST")))
    EMAIL_TIMEOUT = SMS_TIMEOUT_SECONDS
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("BEDRING_EMAIL_FROM", "")
if not DEFAULT_FROM_EMAIL:
    if os.environ.get("BEDRING_SMTP_HOST"):
        raise ImproperlyConfigured("BEDRING_EMAIL_FROM must be set when BEDRING_SMTP_HOST is")
    DEFAULT_FROM_EMAIL = "noreply@example.org"  # example.org: a domain that is nobody's
# JRN-3: the files of client documents. Outside the web root: never under the static files
# (whitenoise serves those to anyone) nor a media root; served only by the access-logged
# document view. Random file names (bedring/documents/storage.py).
BEDRING_DOCUMENTS_DIR = Path(
    os.environ.get("BEDRING_DOCUMENTS_DIR") or VAR_DIR / "documents"
).resolve()
BEDRING_DOCUMENT_MAX_BYTES = _env_int("BEDRING_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
if BEDRING_DOCUMENT_MAX_BYTES < 1:
    raise ImproperlyConfigured("BEDRING_DOCUMENT_MAX_BYTES must be a positive number of bytes")
MEDIA_ROOT = ""
for _served in (STATIC_ROOT, *STATICFILES_DIRS, BASE_DIR / "templates"):
    if BEDRING_DOCUMENTS_DIR.is_relative_to(Path(_served).resolve()):
        raise ImproperlyConfigured(
            f"BEDRING_DOCUMENTS_DIR ({BEDRING_DOCUMENTS_DIR}) must not be inside {_served}: "
            "client documents would be served without a login"
        )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BEDRING_LOG_LEVEL", "WARNING")},
}
