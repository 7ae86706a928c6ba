from django.apps import AppConfig


class SubstitutesConfig(AppConfig):
    name = "substitutes"
    verbose_name = "Vikarhåndtering"
