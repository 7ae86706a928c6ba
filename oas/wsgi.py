"""WSGI entry point (``gunicorn oas.wsgi:application``).

Django's handler serves everything except the hot routes of ``oas.lean.LEAN_ROUTES`` (the krysseliste's
check-in tap), which go to the lean handler: the same middleware minus static files and flash messages, and a
plain view instead of DRF (see ``oas/lean.py``); a tap with the krysseliste's tap token goes to
``attendance.tap`` (``oas.lean.TOKEN_ROUTES``).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oas.settings.base")
django_application = get_wsgi_application()

from oas.lean import Dispatcher, LeanHandler, token_applications  # noqa: E402 - needs the settings configured above

application = Dispatcher(full=django_application, lean=LeanHandler(), token_routes=token_applications())
