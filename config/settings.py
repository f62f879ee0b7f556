"""Shabaka settings: one env-driven file.

Unset variables give the embedded default (SQLite under var/, in-memory channel
layer, database search backend); DATABASE_URL, REDIS_URL and MEILISEARCH_URL switch
to the production parts. Nothing here connects to a service at import time. The
reasons behind the longer choices: docs/operations.md. The test suite runs on
config/settings_test.py.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE as CSP_NONCE
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list
from config.openapi import ENUM_NAME_OVERRIDES
from config.secret_key import check_secret_key
from config.settings_media import PHOTO_ORIGIN, UPLOAD_MAX_BYTES, photo_storage  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHABAKA_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)


DEBUG = env_bool("DEBUG", True)
# The test suite's settings: on under pytest, whose configuration names
# config/settings_test.py (it turns this on); a process a test starts sets it itself.
TESTING = env_bool("SHABAKA_TESTING", False)


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        if not DEBUG:
            check_secret_key(key, BASE_DIR)  # too short, too plain or published: refused
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    # A development key generated once and kept under var/, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The site's public origin: the links in mail, and an origin the websocket accepts
# (realtime.origin); behind a TLS proxy, its https:// address.
# Under tests the default is the Django test client's own address, as its requests say.
SITE_URL = os.environ.get(
    "SITE_URL", "http://testserver" if TESTING else "http://127.0.0.1:8000"
).rstrip("/")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "channels",
    "guardian",
    "axes",
    "permissions",
    "community",
    "community.forums",
    "directory",
    "chat",
    "realtime",
    "search",
    "accounts",
    "notifications",
    "mailer",
    "meetings",
    "calls",
]
# How many of a call's best matches are told when it is published (calls.actions).
CALL_MATCH_NOTIFY = env_int("CALL_MATCH_NOTIFY", 50)

MIDDLEWARE = [
    # First, so that even failures answered by other middleware are JSON under /api/.
    "config.errors.JsonErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /static/: the collected files (STATIC_ROOT) with hashed names and far-future cache
    # headers; under DEBUG straight from the app folders, re-read as they change.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # No NUL or lone surrogate in an address, a query string or a web form (a 400).
    "config.text_guard.TextGuardMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sign-in lockout (config/lockout.py): a locked-out sign-in becomes a 429.
    "config.lockout.LockoutMiddleware",
    # Web pages: friendly 404/403/500 pages, never a traceback, even with DEBUG on.
    "config.web.WebErrorMiddleware",
]

# Links to other sites carry only our origin, never a page's path or query string.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

# Content-Security-Policy (django-csp) on every answer: the pages run only the site's own
# script files (or an inline one carrying the request's nonce, `request.csp_nonce`),
# load only its own styles (no `style=` attribute: the templates use classes), are
# framed by nobody, and post forms only to the site. `connect-src 'self'` covers the
# websocket to the same host and port (ws:/wss:, CSP level 3, checked in Chromium).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF, CSP_NONCE],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],  # Swagger UI's icons are data: URLs
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    },
}

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                # The top bar's unread counts (lazy; nothing for anonymous visitors).
                "config.topbar.topbar",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
            conn_health_checks=True,
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "shabaka.sqlite3")),
            # WAL + a busy timeout let daphne's threads and a management command share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- channel layer and cache ---------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # CHANNEL_LAYER "pubsub" (default) or "list", both wrapped in realtime.layers: why each
    # and its values, docs/operations.md "Channel layer".
    CHANNEL_LAYER_KIND = os.environ.get("CHANNEL_LAYER", "pubsub")
    _redis_hosts = env_list("CHANNEL_REDIS_HOSTS", [REDIS_URL])
    if CHANNEL_LAYER_KIND == "list":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "realtime.layers.BlockingPoolRedisChannelLayer",
                "CONFIG": {
                    "hosts": [
                        {
                            "address": host,
                            "max_connections": int(
                                os.environ.get("CHANNEL_REDIS_CONNECTIONS", "64")
                            ),
                            "pool_timeout": 20,
                        }
                        for host in _redis_hosts
                    ],
                    "capacity": int(os.environ.get("CHANNEL_CAPACITY", "1000")),
                    "expiry": 30,
                    "prefix": os.environ.get("CHANNEL_PREFIX", "shabaka"),
                },
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "realtime.layers.PubSubChannelLayer",
                "CONFIG": {
                    "hosts": _redis_hosts,
                    "prefix": os.environ.get("CHANNEL_PREFIX", "shabaka"),
                },
            }
        }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "shabaka"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- search --------------------------------------------------------------------
MEILISEARCH_URL = os.environ.get("MEILISEARCH_URL", "")
MEILISEARCH_API_KEY = os.environ.get("MEILISEARCH_API_KEY", "")
MEILISEARCH_INDEX_PREFIX = os.environ.get("MEILISEARCH_INDEX_PREFIX", "shabaka")
MEILISEARCH_TIMEOUT = float(os.environ.get("MEILISEARCH_TIMEOUT", "2"))
# Each web process drains the search outbox in a thread after commits; set it off where
# `manage.py search_worker` processes do that (tests drain explicitly).
SEARCH_INLINE_WORKER = env_bool("SEARCH_INLINE_WORKER", not TESTING)

# --- background jobs and mail: config/settings_jobs.py ----------------------------
from config.settings_jobs import *  # noqa: E402, F403

# --- auth and permissions -------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # A username typed in another case than registered (accounts.identity).
    "accounts.identity.UsernameKeyBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Anonymous visitors get no object permissions: no "AnonymousUser" row is created.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Hashing dominates test time otherwise; production keeps the default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/signin/"
# Password-reset and email-verification links (accounts/links.py) work for 24 hours.
PASSWORD_RESET_TIMEOUT = 24 * 3600

# Sign-in lockout by django-axes: 5 failures in 15 minutes for a username or from an
# address, then 429 (docs/operations.md "Sign-in lockout": the handler and each choice).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("SIGNIN_FAILURE_LIMIT", "1000" if TESTING else "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGNIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]  # a username OR an address
# Failing again while locked out does not push the end of the lock further away.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success does not clear failures: it would clear every failure from that address too,
# so an attacker could sign in to an account of their own between guesses.
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "config.lockout.lockout_address"  # core.client_address
AXES_USERNAME_CALLABLE = "config.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # no log of every successful sign-in kept forever
# axes looks for its own middleware by name; config.lockout.LockoutMiddleware is it.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header turns "no credentials" into 401, not 403.
        "accounts.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.SafeJSONParser"],  # no NUL, surrogate, deep nesting
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.errors.api_exception_handler",
    # DRF's throttles keyed by core.client_address, not by a client-set X-Forwarded-For.
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttles.AnonRateThrottle",
        "config.throttles.UserRateThrottle",
        "config.throttles.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "600/min"),
        "user": os.environ.get("THROTTLE_USER", "3000/min"),
        "auth": os.environ.get("THROTTLE_AUTH", "20/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if TESTING:
    # Tests pin throttling down themselves where they exercise it.
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
        "anon": "100000/min",
        "user": "100000/min",
        "auth": "100000/min",
    }

# API tokens (django-rest-knox, accounts.models): one per sign-in, stored as a digest,
# expiring after 30 days without use; use slides the expiry, written at most hourly.
KNOX_TOKEN_MODEL = "accounts.AuthToken"  # noqa: S105 - a model name
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=30),
    "AUTO_REFRESH": True,
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
}
# knox's own token table is swapped out for accounts.AuthToken: none of its migrations.
MIGRATION_MODULES = {"knox": None}

SPECTACULAR_SETTINGS = {
    "TITLE": "Shabaka API",
    "DESCRIPTION": (
        "Forums, chat rooms and a searchable member directory for each network of "
        "Moroccan professionals abroad. Errors are "
        '`{"error": {"code", "message", "fields"}}`; lists are keyset-paginated '
        '`{"results", "next"}`.'
    ),
    "VERSION": "1.0.0",
    # Swagger UI from drf-spectacular-sidecar's static files, not a CDN (the CSP allows
    # only the site's own scripts); its initialising script is a file too (config/urls.py).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
    # Enums named after their model or vocabulary (config/openapi.py).
    "ENUM_NAME_OVERRIDES": ENUM_NAME_OVERRIDES,
}

# Request bodies larger than this are refused with 413 before any parsing.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_REQUEST_BYTES", str(1024 * 1024)))

# --- i18n -----------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("ar", "العربية"), ("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or VAR_DIR / "static")
# The web client's stylesheet and scripts (plain files, no build step).
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (DEBUG off) serves what `manage.py collectstatic` (`make static`) wrote:
# content-hashed names cached for a year, gzip copies, and a page naming a file that was
# not collected fails loudly rather than showing without styles. Under DEBUG the files
# are served from their folders as they are, so editing a script needs no step; so are
# test servers run with DEBUG off that collect nothing (STATIC_MANIFEST=true makes one
# serve as production does, after its collectstatic).
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG and not TESTING)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG
# Profile photos and uploads: config/settings_media.py.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES["photos"] = photo_storage(MEDIA_ROOT)
if PHOTO_ORIGIN:
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(PHOTO_ORIGIN)

# --- security when DEBUG is off ---------------------------------------------------
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS is opt-in: a wrong value locks browsers out of a domain for its lifetime.
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Our own proxies (addresses or CIDRs): only a request whose peer is one of them has its
# X-Forwarded-For read, from the right (core/client_address.py). Empty: the peer is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# --- Shabaka ----------------------------------------------------------------------
SHABAKA: dict[str, Any] = {
    # Budgets per person or address, shared by every process (core/budgets.py), in the
    # `limits` notation: "N per <period>; M per <period>" (every rate must hold).
    "BUDGETS": {},
    "MAX_FRAME_BYTES": 16 * 1024,
}

# Chat budgets per user (chat/limits.py), REST and websocket alike. "send": every write
# (send, edit, delete, react): a burst of CHAT_RATE_BURST, then CHAT_RATE_PER_SECOND
# (CHAT_SEND_BUDGET overrides both, in the notation above). "replay": room events
# replayed by subscribes with after_seq and by pages of the REST event log.
_chat_burst = int(os.environ.get("CHAT_RATE_BURST", "10"))
# The burst refills in this many seconds (rounded up, at least one).
_chat_window = max(1, int(-(-_chat_burst // float(os.environ.get("CHAT_RATE_PER_SECOND", "1")))))
SHABAKA["BUDGETS"] |= {
    "send": os.environ.get("CHAT_SEND_BUDGET") or f"{_chat_burst} per {_chat_window} seconds",
    "replay": os.environ.get("CHAT_REPLAY_BUDGET", "3000 per minute"),
}
# Open websockets per user, counted across processes (realtime/sockets.py); one more is
# closed with 4429.
SHABAKA["MAX_SOCKETS_PER_USER"] = int(os.environ.get("MAX_SOCKETS_PER_USER", "20"))
if TESTING and not {"CHAT_SEND_BUDGET", "CHAT_RATE_BURST"} & set(os.environ):
    # As with DRF's rates above: tests that exercise a budget set it themselves.
    SHABAKA["BUDGETS"]["send"] = "100000 per 1 second"

# Budgets of the account and posting doors (core/budgets.py), shared by every process; the
# production defaults explained in docs/operations.md "Budgets". Tests run them wide open.
_OPEN = "100000 per minute"
SHABAKA["BUDGETS"].update(
    {
        "signup": os.environ.get("BUDGET_SIGNUP", _OPEN if TESTING else "5 per hour"),
        "forum_topic": os.environ.get(
            "BUDGET_FORUM_TOPIC", _OPEN if TESTING else "1 per 15 seconds; 20 per day"
        ),
        # Account mail (accounts/recovery.py): reset links, verification links, "someone
        # tried to register with your address", per client address and per address.
        "mail_client": os.environ.get(
            "BUDGET_MAIL_CLIENT", _OPEN if TESTING else "10 per hour; 50 per day"
        ),
        "mail_address": os.environ.get(
            "BUDGET_MAIL_ADDRESS", _OPEN if TESTING else "3 per hour; 10 per day"
        ),
        "forum_reply": os.environ.get(
            "BUDGET_FORUM_REPLY",
            _OPEN if TESTING else "3 per 15 seconds; 30 per 10 minutes; 300 per day",
        ),
        # "Your data" archives (accounts/deletion.py): each reads all of a person's history.
        "data_export": os.environ.get(
            "BUDGET_DATA_EXPORT", _OPEN if TESTING else "3 per hour; 10 per day"
        ),
        # Account deletion tries (each checks the password): not a password oracle.
        "account_delete": os.environ.get(
            "BUDGET_ACCOUNT_DELETE", _OPEN if TESTING else "5 per hour"
        ),
    }
)
