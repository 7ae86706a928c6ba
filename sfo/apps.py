from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SfoConfig(AppConfig):
    name = "sfo"
    verbose_name = _("SFO")

    def ready(self) -> None:
        from integrations.outbox import register_handler
        from sfo import permissions  # noqa: F401  (registers the actions and resources)
        from sfo.letters import DECISION_LETTERS_KIND, sfo_decision_letters_deliver

        register_handler(DECISION_LETTERS_KIND, sfo_decision_letters_deliver)
