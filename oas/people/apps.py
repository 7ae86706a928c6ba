from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "oas.people"
    label = "people"
    verbose_name = "Personer"
