from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running the house: the development stack, embedded services and the demo municipality."""

    name = "oas.ops"
    label = "ops"
    verbose_name = _("Drift")
