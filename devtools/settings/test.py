"""Test settings: development (base plus devtools, embedded services when no URL is set) plus what makes tests fast and deterministic. Real PostgreSQL and Redis."""

import os

from devtools.embedded import embedded_services_environ_ensure
from devtools.xdist import xdist_worker_redis_url

# Under ``pytest -n N`` (pytest-xdist, as ``make test`` runs) each worker gets a Redis database of its own, so that
# one worker's ``cache.clear()`` (FLUSHDB), Celery purge or worker test never touches another's: worker gwK uses
# database OAS_TEST_REDIS_WORKER_DB_BASE + K (default 10 + K: gw0 -> 10, gw1 -> 11) on REDIS_URL's server
# (devtools/xdist.py). The rewritten URL goes into ``os.environ`` before the settings read it, so the processes a
# test starts (Celery workers, manage.py, benchmarks) use the same database. Without xdist REDIS_URL is used as is.
embedded_services_environ_ensure()
os.environ["REDIS_URL"] = xdist_worker_redis_url(os.environ["REDIS_URL"], os.environ)

from devtools.settings.development import *  # noqa: E402, F403
from devtools.settings.development import CACHES, REDIS_URL  # noqa: E402

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
