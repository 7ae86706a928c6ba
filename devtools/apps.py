from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """What a developer runs and production leaves out: demo seeding (``seed_demo``), the development identity
    provider (``run_dev_idp``), the embedded PostgreSQL and Redis (``stop_embedded``) and ``devstack``."""

    name = "devtools"
    label = "devtools"
    # No models, no admin: nothing shows its name, so it has no translated verbose_name (and adds no msgid).
