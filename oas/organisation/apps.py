from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "oas.organisation"
    label = "organisation"
    verbose_name = "Organisasjon"
