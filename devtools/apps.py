from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """What a developer runs and production leaves out: demo seeding (``seed_demo``), the development identity
    provider (``run_dev_idp``), the embedded PostgreSQL and Redis (``stop_embedded``) and ``devstack``."""

    name = "devtools"
    label = "devtools"
    verbose_name = _("Utviklerverktøy")
