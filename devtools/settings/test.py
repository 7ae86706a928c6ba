"""Test settings: development (base plus devtools, embedded services when no URL is set) plus what makes tests fast and deterministic. Real PostgreSQL and Redis."""

from devtools.settings.development import *  # noqa: F403
from devtools.settings.development import CACHES, REDIS_URL

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = False
CACHES["default"]["KEY_PREFIX"] = "oas-test"
CELERY_BROKER_URL = REDIS_URL
LANGUAGE_CODE = "nb"
# Tests see every change at once; tests of the arbeidsflate cache turn it on themselves.
ARBEIDSFLATE_CACHE_SECONDS = 0
# Serve static files through the finders, as in development: a fresh checkout has no collected STATIC_ROOT
# (WhiteNoise would warn about the missing directory, and warnings are errors in tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
