"""Timeplan (domain app). Other apps use only `timetable.public`."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "timetable"
    verbose_name = _("Timeplan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from school.public import planned_lessons_reader_register, register_lesson_source
        from timetable import permissions  # noqa: F401  (registers actions and resources)
        from timetable.public import group_lessons_on, lessons_on

        # Attendance per lesson (school) reads the lessons of the published timetable through this reader.
        planned_lessons_reader_register(group_lessons_on)

        # The arbeidsflate's "lesson not registered" task reads today's lessons from the published timetable.
        register_lesson_source(lessons_on)
