"""Skole (domain app). Other apps use only `school.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchoolConfig(AppConfig):
    name = "school"
    verbose_name = _("Skole")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from integrations.public import register_handler
        from school import permissions  # noqa: F401  (registers actions and resources)
        from school.leave import LEAVE_LETTER_KIND, leave_decision_deliver

        register_handler(LEAVE_LETTER_KIND, leave_decision_deliver)
        from school.enrolment import ENROLMENT_LETTER_KIND, enrolment_letters_deliver

        register_handler(ENROLMENT_LETTER_KIND, enrolment_letters_deliver)
        from school.arbeidsflate import register_providers

        register_providers()
        from oas.arbeidsflate.registry import registry
        from school.snapshot import unit_snapshot_figures

        registry.register_snapshot_provider("school", unit_snapshot_figures)
        # Menu entries (school/navigation.py) are found by the app shell (oas.portal's autodiscovery).
