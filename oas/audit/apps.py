from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "oas.audit"
    label = "audit"
    verbose_name = _("Tilgangslogg")

    def ready(self) -> None:
        from oas import db_roles

        db_roles.install()  # the application's connections act as DATABASE_APP_ROLE (see oas/db_roles.py)
