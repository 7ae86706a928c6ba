from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "timetable"
    verbose_name = "Timeplan"
