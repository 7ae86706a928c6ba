from django.apps import AppConfig


class KindergartenConfig(AppConfig):
    name = "kindergarten"
    verbose_name = "Barnehage"
