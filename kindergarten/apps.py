"""Barnehage (domain app). Other apps use only `kindergarten.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KindergartenConfig(AppConfig):
    name = "kindergarten"
    verbose_name = _("Barnehage")

    def ready(self) -> None:
        from attendance.public import approved_places_reader_register, occupancy_reader_register
        from invoicing.public import place_details_register
        from kindergarten.public import approved_places, kindergarten_occupancy, placement_sizes
        from oas.people.models import Service

        # Attendance and invoicing sit below kindergarten (import-linter layers): they read through these.
        occupancy_reader_register(kindergarten_occupancy)
        approved_places_reader_register(approved_places)
        place_details_register(service=Service.KINDERGARTEN, reader=placement_sizes)

        from kindergarten import permissions  # noqa: F401  (registers the actions and resources)
        from kindergarten.arbeidsflate import TASKS
        from kindergarten.portal import OffersAwaitingAnswerProvider
        from oas.arbeidsflate.registry import registry
        from oas.portal.registry import portal_registry

        registry.register_task_providers(TASKS)
        portal_registry.register_attention_provider(OffersAwaitingAnswerProvider())

        from integrations.public import register_handler
        from kindergarten.letters import (
            APPLICATION_ARCHIVE_KIND,
            DECISION_LETTER_KIND,
            application_archive_deliver,
            decision_letter_deliver,
        )

        register_handler(APPLICATION_ARCHIVE_KIND, application_archive_deliver)
        register_handler(DECISION_LETTER_KIND, decision_letter_deliver)
