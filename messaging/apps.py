"""Kommunikasjon med hjemmet (domain app). Other apps use only `messaging.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Kommunikasjon med hjemmet")

    def ready(self) -> None:
        from integrations.public import make_sms_simulator, register_simulator
        from messaging import permissions, workspace  # noqa: F401 - registers actions and providers

        register_simulator("sms", factory=make_sms_simulator, order=40)
        workspace.register()
