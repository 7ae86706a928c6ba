from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running the house: the development stack, embedded services and the demo municipality."""

    name = "oas.ops"
    label = "ops"
    verbose_name = "Drift"
