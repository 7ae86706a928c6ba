from django.apps import AppConfig


class SfoConfig(AppConfig):
    name = "sfo"
    verbose_name = "SFO"
