from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubstitutesConfig(AppConfig):
    name = "substitutes"
    verbose_name = _("Vikarhåndtering")
