"""Base settings, driven by the environment (house style rule 10).

Everything a deployment needs, and nothing of ``devtools``: ``DATABASE_URL`` and ``REDIS_URL`` are required. The
development settings (``devtools/settings/development.py``, the default of ``manage.py``) start an embedded
PostgreSQL and Redis under ``./var`` when they are unset and install ``devtools``; ``production.py`` hardens this
module. Never SQLite.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from oas.database_url import database_config
from oas.env import ConfigurationError, env_bool, env_int, env_list, env_mode, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("OAS_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Only a development default; production refuses to start without SECRET_KEY (see production.py).
SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-0as-only-for-local-development-change-me") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
# A CSRF refusal under /api/ answers in the API's one error shape (JSON); pages keep Django's page.
CSRF_FAILURE_VIEW = "oas.api.csrf_failure"
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed (oas/client_ip.py); from any other
# peer the header is ignored, so a client cannot choose its own address for rate limits and the audit log.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _exc:
        raise ConfigurationError(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network.") from _exc
OAS_BASE_URL = env_str("OAS_BASE_URL", "http://127.0.0.1:8000") or "http://127.0.0.1:8000"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "guardian",
    # kernel
    "oas.organisation",
    "oas.people",
    "oas.audit",
    "oas.access",
    "oas.identity",
    "oas.arbeidsflate",
    "oas.portal",
    "oas.ops",
    # integrations
    "integrations",
    # domain apps
    "admission",
    "kindergarten",
    "school",
    "assessment",
    "sfo",
    "substitutes",
    "timetable",
    "messaging",
    "fees",
    "attendance",
    "invoicing",
]

MIDDLEWARE = [
    # Refuse an oversized body (413) before anything reads it (UPLOAD_MAX_REQUEST_BYTES below).
    "oas.uploads.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oas.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff 12 h from login; guardians and shared tablets 30 min idle (oas/identity/session_lifetime.py).
    "oas.identity.session_lifetime.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oas.audit.middleware.RequestContextMiddleware",
    # Deny by default: every view must be @public or declare its actions (oas/access/__init__.py).
    "oas.access.middleware.AccessMiddleware",
]

ROOT_URLCONF = "oas.urls"
WSGI_APPLICATION = "oas.wsgi.application"

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
                "oas.navigation.context_processor",
            ],
        },
    },
]

# --- Database and Redis -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or ""
if not DATABASE_URL:
    raise ConfigurationError(
        "DATABASE_URL is required (the development settings, devtools.settings.development, start an embedded "
        "PostgreSQL when it is unset)."
    )
DATABASES = {"default": database_config(DATABASE_URL)}
# Connections are bounded: a thread (the dev server starts one per request, granian keeps a few) borrows a
# connection from psycopg's pool for one request and gives it back when the request ends, so a process never
# holds more than DATABASE_POOL_MAX_SIZE connections however many threads it has run. Persistent per-thread
# connections (CONN_MAX_AGE) outlived their threads and exhausted PostgreSQL's max_connections under light load.
# Each web process, worker process and beat has its own pool: budget max_connections for all of them.
# DATABASE_POOL=false (e.g. behind PgBouncer in transaction mode) opens one connection per request instead.
DATABASE_POOL = env_bool("DATABASE_POOL", default=True)
DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", default=1)
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", default=8)
# A request that finds every pooled connection busy waits this long, then fails (503) instead of piling up.
DATABASE_POOL_TIMEOUT_SECONDS = env_int("DATABASE_POOL_TIMEOUT_SECONDS", default=10)
DATABASES["default"]["CONN_MAX_AGE"] = 0  # pooling and persistent connections exclude each other
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks a connection before lending it
if DATABASE_POOL:
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": DATABASE_POOL_MIN_SIZE,
        "max_size": max(DATABASE_POOL_MAX_SIZE, DATABASE_POOL_MIN_SIZE, 1),
        "timeout": DATABASE_POOL_TIMEOUT_SECONDS,
        # Give an idle connection back to PostgreSQL after 5 minutes (down to min_size).
        "max_idle": 300,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The application acts as this role, which owns no table and may not UPDATE, DELETE or TRUNCATE the audit log
# (oas/db_roles.py, created with its grants by oas/audit/migrations/0004_application_role.py). Migrations and
# flush run as the owner: the login of DATABASE_MIGRATE_URL when set (production: DATABASE_URL logs in as the
# application role), else DATABASE_URL's login without the switch. Empty: no switch (not recommended).
DATABASE_APP_ROLE = env_str("DATABASE_APP_ROLE", "oas_app") or ""
DATABASE_MIGRATE_URL = env_str("DATABASE_MIGRATE_URL", "") or ""

REDIS_URL = env_str("REDIS_URL") or ""
if not REDIS_URL:
    raise ConfigurationError(
        "REDIS_URL is required (the development settings, devtools.settings.development, start an embedded Redis "
        "when it is unset)."
    )
CACHES = {
    "default": {
        "BACKEND": "oas.cache.RedisCache",  # Django's, reusing its Redis client (see oas/cache.py)
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "oas",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# The arbeidsflate reuses a user's task counts and a unit's snapshot counts this long (the page says when).
ARBEIDSFLATE_CACHE_SECONDS = env_int("ARBEIDSFLATE_CACHE_SECONDS", default=30)

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery") or "celery"  # benchmarks use their own
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "worker-heartbeat": {"task": "oas.tasks.worker_heartbeat", "schedule": 15.0},
    "access-roles-recompute": {"task": "oas.access.tasks.access_roles_recompute_all", "schedule": 6 * 3600.0},
    "access-grants-cleanup": {"task": "oas.access.tasks.access_grants_cleanup_task", "schedule": 3600.0},
    "outbox-claim-due": {"task": "integrations.outbox.claim_due", "schedule": 10.0},
    "freg-sync-feed": {"task": "integrations.freg.sync_feed", "schedule": 300.0},
    # A full extract of the children once a day repairs drift (missed or unknown events); see freg/sync.py.
    "freg-full-extract": {"task": "integrations.freg.full_extract", "schedule": 24 * 3600.0},
}

# --- Auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # Password logins only for break-glass accounts (Django admin); everyone else logs in through OIDC.
    "oas.identity.backends.BreakGlassPasswordBackend",
    "oas.identity.backends.OIDCBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 16}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous object permissions

# OIDC providers (issue "Identity…"): each configured from the environment, e.g.
# OIDC_IDPORTEN_ISSUER, OIDC_IDPORTEN_CLIENT_ID, OIDC_IDPORTEN_CLIENT_SECRET(_FILE), OIDC_ENTRA_MATCH_CLAIM,
# OIDC_ENTRA_TENANT_ID. Outside production, a provider without an issuer uses the development identity
# provider (`manage.py run_dev_idp`). OIDC_ENABLED_PROVIDERS switches providers off (e.g. only Feide for staff).
OIDC_DEV_PROVIDER_URL = env_str("OIDC_DEV_PROVIDER_URL", "http://127.0.0.1:8100") or ""
OIDC_DEV_CLIENT_ID = env_str("OIDC_DEV_CLIENT_ID", "oas-dev") or "oas-dev"
OIDC_DEV_CLIENT_SECRET = env_str("OIDC_DEV_CLIENT_SECRET", "oas-dev-secret-not-for-production") or ""
OIDC_PROVIDERS: dict[str, dict[str, object]] = {}
for _provider in env_list("OIDC_ENABLED_PROVIDERS", default=["idporten", "entra", "feide"]):
    _prefix = f"OIDC_{_provider.upper()}_"
    _issuer = env_str(_prefix + "ISSUER")
    _dev = not _issuer and bool(OIDC_DEV_PROVIDER_URL) and os.environ.get("OAS_ENVIRONMENT") != "production"
    if _issuer or _dev:
        OIDC_PROVIDERS[_provider] = {
            "issuer": _issuer or f"{OIDC_DEV_PROVIDER_URL.rstrip('/')}/{_provider}",
            "client_id": env_str(_prefix + "CLIENT_ID", OIDC_DEV_CLIENT_ID if _dev else "") or "",
            "client_secret": env_str(_prefix + "CLIENT_SECRET", OIDC_DEV_CLIENT_SECRET if _dev else "") or "",
            "match_claim": env_str(_prefix + "MATCH_CLAIM", "") or "",
            "tenant_id": env_str(_prefix + "TENANT_ID", "") or "",
        }
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_STEPUP_MAX_AGE_SECONDS = env_int("OIDC_STEPUP_MAX_AGE_SECONDS", default=600)

# --- Integrations: simulator or live per system ------------------------------------------------
INTEGRATION_MODES = {
    system: env_mode(f"{system.upper()}_MODE")
    for system in ("maskinporten", "freg", "svarut", "noark", "erp", "sms", "idporten", "msgraph")
}

# Loopback ports of the simulators `manage.py run_simulators` starts (integrations/common/simulators.py).
SIMULATOR_HOST = env_str("SIMULATOR_HOST", "127.0.0.1") or "127.0.0.1"
SIMULATOR_PORTS = {
    "maskinporten": 8200,
    "freg": 8201,
    "svarut": 8202,
    "noark": 8203,
    "sms": 8204,
    "mail": 8205,
    "msgraph": 8206,
}
SIMULATOR_SMTP_PORT = 8025  # the mail catcher's SMTP sink (EMAIL_PORT in simulator mode)
# Maskinporten (integrations/maskinporten). Live needs all of these; the key may come from *_FILE.
MASKINPORTEN_SIMULATOR_URL = env_str("MASKINPORTEN_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8200") or ""
MASKINPORTEN_TOKEN_URL = env_str("MASKINPORTEN_TOKEN_URL", "") or ""
MASKINPORTEN_AUDIENCE = env_str("MASKINPORTEN_AUDIENCE", "") or ""
MASKINPORTEN_CLIENT_ID = env_str("MASKINPORTEN_CLIENT_ID", "") or ""
MASKINPORTEN_KID = env_str("MASKINPORTEN_KID", "") or ""
MASKINPORTEN_PRIVATE_KEY = env_str("MASKINPORTEN_PRIVATE_KEY", "") or ""
MASKINPORTEN_CONSUMER_ORG = env_str("MASKINPORTEN_CONSUMER_ORG", "") or ""
# Folkeregisteret (integrations/freg). Live needs FREG_BASE_URL (…/folkeregisteret/offentlig-med-hjemmel/api).
FREG_BASE_URL = env_str("FREG_BASE_URL", "") or ""
FREG_SIMULATOR_URL = (
    env_str("FREG_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8201/folkeregisteret/offentlig-med-hjemmel/api") or ""
)
FREG_SCOPE = env_str("FREG_SCOPE", "folkeregister:deling/offentligmedhjemmel") or ""
FREG_MUNICIPALITY_NUMBER = env_str("FREG_MUNICIPALITY_NUMBER", "3030") or "3030"
# Transactional outbox (integrations/outbox).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", default=360)
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", default=30)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", default=3600)
# SvarUt (integrations/svarut, letters in integrations/letters). Live needs all four; simulator: port 8202.
SVARUT_SIMULATOR_URL = env_str("SVARUT_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8202") or ""
SVARUT_BASE_URL = env_str("SVARUT_BASE_URL", "") or ""
SVARUT_KONTO_ID = env_str("SVARUT_KONTO_ID", "") or ""
SVARUT_INTEGRASJON_ID = env_str("SVARUT_INTEGRASJON_ID", "") or ""
SVARUT_INTEGRASJON_PASSORD = env_str("SVARUT_INTEGRASJON_PASSORD", "") or ""
SVARUT_TIMEOUT_SECONDS = env_int("SVARUT_TIMEOUT_SECONDS", default=30)
LETTER_SENDER = {
    "name": env_str("LETTER_SENDER_NAME", "Lillestrøm kommune, Oppvekst") or "",
    "address": env_str("LETTER_SENDER_ADDRESS", "Postboks 313, 2001 Lillestrøm") or "",
}
# Noark 5 archive (integrations/noark, integrations/archive). Live needs NOARK_BASE_URL; simulator: port 8203.
NOARK_SIMULATOR_URL = env_str("NOARK_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8203") or ""
NOARK_BASE_URL = env_str("NOARK_BASE_URL", "") or ""
NOARK_SCOPE = env_str("NOARK_SCOPE", "noark5:arkiv") or ""
NOARK_TIMEOUT_SECONDS = env_int("NOARK_TIMEOUT_SECONDS", default=30)
# ERP employee master data (integrations/erp): export files dropped here are imported daily.
ERP_IMPORT_DIR = env_str("ERP_IMPORT_DIR", str(VAR_DIR / "erp-import")) or ""
CELERY_BEAT_SCHEDULE["svarut-status-poll"] = {"task": "integrations.letters.poll_statuses", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["erp-import-daily"] = {"task": "integrations.erp.import_directory", "schedule": 24 * 3600.0}
CELERY_BEAT_SCHEDULE["kindergarten-offers-expire"] = {"task": "kindergarten.tasks.offers_expire", "schedule": 3600.0}
# Messaging (messaging/tasks.py): scheduled notices, deferred/retried notification deliveries.
CELERY_BEAT_SCHEDULE["messaging-notices-due"] = {"task": "messaging.notices_send_due", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["messaging-deliveries"] = {"task": "messaging.deliveries_dispatch", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["messaging-digests"] = {"task": "messaging.digests_send", "schedule": 3600.0}
# SMS gateway (integrations/sms). Live needs SMS_BASE_URL and SMS_API_KEY; simulator: port 8204.
SMS_SIMULATOR_URL = env_str("SMS_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8204") or ""
SMS_BASE_URL = env_str("SMS_BASE_URL", "") or ""
SMS_API_KEY = env_str("SMS_API_KEY", "") or ""
# Microsoft Graph (integrations/msgraph): teachers' lessons in their Office 365 calendars. Live needs the tenant and
# an app registration with the Calendars.ReadWrite application permission; simulator: port 8206 (token and API).
MSGRAPH_SIMULATOR_URL = env_str("MSGRAPH_SIMULATOR_URL", f"http://{SIMULATOR_HOST}:8206") or ""
MSGRAPH_TENANT_ID = env_str("MSGRAPH_TENANT_ID", "") or ""
MSGRAPH_CLIENT_ID = env_str("MSGRAPH_CLIENT_ID", "") or ""
MSGRAPH_CLIENT_SECRET = env_str("MSGRAPH_CLIENT_SECRET", "") or ""
# A notification delivery claimed by a worker that vanished is sent again after this many seconds.
MESSAGING_DELIVERY_LEASE_SECONDS = env_int("MESSAGING_DELIVERY_LEASE_SECONDS", default=120)
MESSAGING_GUARDIAN_MESSAGES_PER_HOUR = env_int("MESSAGING_GUARDIAN_MESSAGES_PER_HOUR", default=20)
# Web push (VAPID): base64url DER private key (or *_FILE); the public key goes to the browser.
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "") or ""
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "") or ""
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:oas@localhost") or ""
CELERY_BEAT_SCHEDULE["attendance-missing-arrivals"] = {
    "task": "attendance.tasks.missing_arrivals_check",
    "schedule": 300.0,
}

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    # Deny any API view that did not declare its actions (oas.access.markers).
    "DEFAULT_PERMISSION_CLASSES": ["oas.access.drf.DeclaredActions"],
    "DEFAULT_SCHEMA_CLASS": "oas.schema.AutoSchema",  # names nested Input/Output serializers after their view
    "EXCEPTION_HANDLER": "oas.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OAS API",
    "DESCRIPTION": "Open API for the municipality's Min Side and employee portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "oas.schema.error_responses_hook",  # the one error shape for 400/401/403/404/409
    ],
}

# --- I18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norsk bokmål")), ("nn", _("Norsk nynorsk")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve static files straight from the source folders (no collectstatic): `make up` and tests. Production
# collects them into STATIC_ROOT (Dockerfile) and leaves this off.
WHITENOISE_USE_FINDERS = env_bool("OAS_STATIC_FROM_SOURCE", default=DEBUG)
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS
# Uploaded files are personal data: never under a public URL; served only through access checks.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")) or VAR_DIR / "private")

# --- Upload and request size limits (oas/uploads.py) --------------------------------------------------
# One uploaded file; a whole request (message attachments: up to five files plus the form); the form fields
# without files; files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk by Django, never held in memory.
UPLOAD_MAX_FILE_BYTES = env_int("UPLOAD_MAX_FILE_BYTES", default=10 * 1024 * 1024)
UPLOAD_MAX_REQUEST_BYTES = env_int("UPLOAD_MAX_REQUEST_BYTES", default=5 * UPLOAD_MAX_FILE_BYTES + 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=256 * 1024)
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Security (tightened further in production.py) ----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# No session outlives a staff working day (Django's default was 14 days); see oas/identity/session_lifetime.py.
SESSION_STAFF_MAX_SECONDS = env_int("SESSION_STAFF_MAX_SECONDS", default=12 * 3600)
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = SESSION_STAFF_MAX_SECONDS
# Opening one of these pages makes the session a shared tablet's: 30 minutes idle from then on.
SESSION_SHARED_DEVICE_VIEWS = ["attendance:krysseliste", "attendance:tap_token"]
# Content-Security-Policy (oas/csp.py); CONTENT_SECURITY_POLICY overrides it, empty turns it off.
_csp = env_str("CONTENT_SECURITY_POLICY")
if _csp is not None:
    CONTENT_SECURITY_POLICY = _csp
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Outgoing e-mail. EMAIL_MODE=simulator (the default outside production): Django's SMTP backend delivers to the
# demo's mail catcher (integrations/mail/catcher.py, started by `manage.py run_simulators`, page on port 8205).
# live (production's default): a real SMTP server; EMAIL_HOST is required.
EMAIL_MODE = env_mode(
    "EMAIL_MODE", default="live" if os.environ.get("OAS_ENVIRONMENT") == "production" else "simulator"
)
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
if EMAIL_MODE == "live":
    EMAIL_HOST = env_required("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", default=25)
else:
    EMAIL_HOST = env_str("EMAIL_HOST", SIMULATOR_HOST) or SIMULATOR_HOST
    EMAIL_PORT = env_int("EMAIL_PORT", default=SIMULATOR_SMTP_PORT)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "oas@localhost")
# Where the monthly invoice basis for the ERP is written (invoicing/ERP_FORMAT.md).
INVOICE_EXPORT_DIR = env_str("INVOICE_EXPORT_DIR", str(BASE_DIR / "var" / "erp-export"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # weasyprint logs several INFO lines per PDF; with thousands of letters that is noise and time.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
