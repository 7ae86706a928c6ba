"""Timeplan (domain app). Other apps use only `timetable.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "timetable"
    verbose_name = _("Timeplan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school.public import planned_lessons_reader_register
        from timetable import permissions  # noqa: F401  (registers actions and resources)
        from timetable.public import lessons_on

        # School reads the day's lessons of the published timetable (with the day's changes) through this one reader:
        # attendance per lesson and the arbeidsflate's "lesson not registered" task.
        planned_lessons_reader_register(lessons_on)

        from oas.arbeidsflate.registry import registry
        from timetable.arbeidsflate import DayChangesToFollowUpProvider

        registry.register_task_provider(DayChangesToFollowUpProvider())
