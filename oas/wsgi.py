"""WSGI entry point (``granian --interface wsgi oas.wsgi:application``, or any WSGI server)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "devtools.settings.development")
application = get_wsgi_application()
