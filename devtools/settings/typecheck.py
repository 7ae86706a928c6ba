"""Settings for mypy's Django plugin (``[tool.django-stubs]`` in pyproject.toml): the test settings, starting nothing.

Type checking imports the settings and the app registry but never connects to PostgreSQL or Redis. Without
``DATABASE_URL``/``REDIS_URL`` the test settings would start the embedded services under ``./var`` (and leave them
running after ``mypy``); placeholders that are never dialled keep a type check a pure reading of the code.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:9/typecheck")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:9/0")

from devtools.settings.test import *  # noqa: F403
