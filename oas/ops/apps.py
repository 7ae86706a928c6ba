from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the house in every environment: `migrate` and `flush` as the tables' owner, `compile_translations`.

    What only a developer runs (devstack, seed_demo, embedded services) is in `devtools`."""

    name = "oas.ops"
    label = "ops"
    verbose_name = _("Drift")
