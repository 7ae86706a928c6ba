"""Production: everything from base plus the hardening that ``manage.py check --deploy`` asks for."""

import os

os.environ.setdefault("OAS_ENVIRONMENT", "production")

from oas.env import ConfigurationError, env_bool, env_int, env_required
from oas.settings.base import *  # noqa: F403
from oas.settings.base import EMAIL_MODE

if EMAIL_MODE != "live":
    # The mail catcher of the demo would swallow every guardian's e-mail: production sends real mail (EMAIL_HOST).
    raise ConfigurationError(
        "EMAIL_MODE=simulator is for development; production needs EMAIL_MODE=live and EMAIL_HOST."
    )

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
