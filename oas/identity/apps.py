from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "oas.identity"
    label = "identity"
    verbose_name = _("Innlogging")

    def ready(self) -> None:
        from oas.identity import checks  # noqa: F401 - registers the system checks
