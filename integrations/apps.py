"""Integrations with external systems: one package per system (port, client, simulator, mapping, errors)."""

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = _("Integrasjoner")

    def ready(self) -> None:
        from integrations import arbeidsflate, permissions  # noqa: F401 - registers actions and resources
        from integrations.common.simulators import register_simulator
        from integrations.freg.simulators import make_freg_simulator
        from integrations.maskinporten.simulators import make_maskinporten_simulator
        from integrations.outbox import register_handler, webhook

        register_handler(webhook.KIND, webhook.deliver_http_post)
        arbeidsflate.register_providers()
        register_simulator("maskinporten", factory=make_maskinporten_simulator, order=0)
        register_simulator("freg", factory=make_freg_simulator, order=10)
        if settings.EMAIL_MODE == "simulator":  # the demo's SMTP sink and its page (never with real e-mail)
            from integrations.mail.catcher import make_mail_catcher

            register_simulator("mail", factory=make_mail_catcher, order=50)  # after the SMS gateway (40)
        # SvarUt letters and Noark archive (helper C2): outbox handlers and simulators.
        from integrations.ops import wiring

        wiring.register()
        # Office 365 calendars through Microsoft Graph: outbox handlers and the simulator.
        from integrations.msgraph.services import register as register_msgraph

        register_msgraph()
