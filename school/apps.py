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
        from school.record_transfer import RECORD_TRANSFER_KIND, record_transfer_deliver

        register_handler(RECORD_TRANSFER_KIND, record_transfer_deliver)
        from school.adapted_education import (
            DECISION_LETTER_KIND,
            IOP_ARCHIVE_KIND,
            adapted_decision_deliver,
            connect_signals,
            iop_archive_deliver,
        )

        connect_signals()

        register_handler(DECISION_LETTER_KIND, adapted_decision_deliver)
        register_handler(IOP_ARCHIVE_KIND, iop_archive_deliver)
        from school.adapted_decision_changes import DECISION_END_LETTER_KIND, adapted_decision_end_deliver

        register_handler(DECISION_END_LETTER_KIND, adapted_decision_end_deliver)
        from school.arbeidsflate import (
            register_first_grade_contact_teacher_task,
            register_iop_providers,
            register_providers,
        )

        register_providers()
        register_first_grade_contact_teacher_task()
        register_iop_providers()
        from oas.access.members import register_member_source
        from school.selectors import teaching_group_members_under

        # A group role on a teaching group reaches its members (GroupMembership), not only placed pupils.
        register_member_source(teaching_group_members_under)
        from integrations.public import register_change_listener
        from school.moves import pupil_moves_from_register

        # Folkeregisteret's feed: school-age children moving in or out give both schools a task.
        register_change_listener(pupil_moves_from_register)
        from oas.arbeidsflate.registry import registry
        from school.snapshot import unit_snapshot_figures

        registry.register_snapshot_provider("school", unit_snapshot_figures)
        # Menu entries (school/navigation.py) are found by the app shell (oas.portal's autodiscovery).
