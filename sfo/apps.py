from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SfoConfig(AppConfig):
    name = "sfo"
    verbose_name = _("SFO")

    def ready(self) -> None:
        from invoicing.public import place_details_register
        from oas.people.models import Service
        from sfo.public import sfo_places

        # Invoicing sits below sfo (import-linter layers): it reads the place types through this.
        place_details_register(service=Service.SFO, reader=sfo_places)

        from integrations.public import register_handler
        from sfo import permissions  # noqa: F401  (registers the actions and resources)
        from sfo.letters import DECISION_LETTERS_KIND, sfo_decision_letters_deliver

        register_handler(DECISION_LETTERS_KIND, sfo_decision_letters_deliver)
