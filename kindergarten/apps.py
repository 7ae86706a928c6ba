"""Barnehage (domain app). Other apps use only `kindergarten.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KindergartenConfig(AppConfig):
    name = "kindergarten"
    verbose_name = _("Barnehage")

    def ready(self) -> None:
        from kindergarten import permissions  # noqa: F401  (registers the actions and resources)
        from kindergarten.arbeidsflate import (
            AppealsProvider,
            ApplicantsToApproveProvider,
            ApplicationsToCheckProvider,
            NewChildrenStartingProvider,
            OffersExpiringProvider,
        )
        from kindergarten.portal import OffersAwaitingAnswerProvider
        from oas.arbeidsflate.registry import registry
        from oas.portal.registry import portal_registry

        for provider in (
            ApplicationsToCheckProvider(),
            OffersExpiringProvider(),
            AppealsProvider(),
            NewChildrenStartingProvider(),
            ApplicantsToApproveProvider(),
        ):
            registry.register_task_provider(provider)
        portal_registry.register_attention_provider(OffersAwaitingAnswerProvider())

        from integrations.outbox import register_handler
        from kindergarten.letters import (
            APPLICATION_ARCHIVE_KIND,
            DECISION_LETTER_KIND,
            application_archive_deliver,
            decision_letter_deliver,
        )

        register_handler(APPLICATION_ARCHIVE_KIND, application_archive_deliver)
        register_handler(DECISION_LETTER_KIND, decision_letter_deliver)
