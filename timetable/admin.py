"""Django admin for timetables: versions with their week, requirements, frames and unavailable times; rooms."""

from django.contrib import admin
from django.http import HttpRequest

from timetable.models import (
    CalendarEntry,
    DayChange,
    Lesson,
    LessonChange,
    ParallelBlock,
    Period,
    Requirement,
    Room,
    SolverRun,
    TeacherFrame,
    TimetableVersion,
    Unavailability,
)


class PeriodInline(admin.TabularInline):
    model = Period
    extra = 0


class BlockInline(admin.TabularInline):
    model = ParallelBlock
    extra = 0


class FrameInline(admin.TabularInline):
    model = TeacherFrame
    extra = 0
    raw_id_fields = ("teacher",)


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 0
    raw_id_fields = ("teacher", "room")


@admin.register(TimetableVersion)
class TimetableVersionAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "school_year_name", "status", "valid_from", "valid_to", "is_variant")
    list_filter = ("status", "is_variant")
    list_select_related = ("school",)
    raw_id_fields = ("school", "copied_from")
    inlines = (PeriodInline, BlockInline, FrameInline, UnavailabilityInline)


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("subject_code", "group", "hours_per_week", "double_lessons", "max_per_day", "room_kind", "version")
    list_filter = ("room_kind",)
    list_select_related = ("group", "version")
    raw_id_fields = ("version", "group", "classes", "teachers", "block")


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "school", "capacity", "shared")
    list_filter = ("kind", "shared")
    raw_id_fields = ("school",)


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("requirement", "day", "position", "length", "room", "locked", "version")
    raw_id_fields = ("version", "requirement", "room")


@admin.register(SolverRun)
class SolverRunAdmin(admin.ModelAdmin):
    list_display = ("version", "status", "seed", "solutions", "objective", "elapsed_seconds", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("version",)


@admin.register(LessonChange)
class LessonChangeAdmin(admin.ModelAdmin):
    list_display = ("version", "action", "lesson", "user_id", "at")
    raw_id_fields = ("version", "lesson")

    def has_change_permission(self, request: HttpRequest, obj: LessonChange | None = None) -> bool:
        return False


class _ReadOnly(admin.ModelAdmin):
    """Written by services only (day changes notify and update Office 365; calendar entries mirror the outbox)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(DayChange)
class DayChangeAdmin(_ReadOnly):
    list_display = ("date", "lesson", "cancelled", "room", "substitute", "revision", "updated_at")
    list_filter = ("cancelled",)
    date_hierarchy = "date"
    raw_id_fields = ("lesson", "room", "substitute")


@admin.register(CalendarEntry)
class CalendarEntryAdmin(_ReadOnly):
    list_display = (
        "pk",
        "school",
        "teacher",
        "microsoft_user",
        "subject_code",
        "day",
        "position",
        "date",
        "revision",
        "active",
    )
    list_filter = ("active",)
    search_fields = ("microsoft_user",)
    raw_id_fields = ("school", "teacher", "group", "lesson", "day_change")
