from django.contrib import admin

from attendance.models import AbsenceReport, ChildAttendanceInfo, ClosingDay, UnitAttendanceSettings


@admin.register(UnitAttendanceSettings)
class UnitAttendanceSettingsAdmin(admin.ModelAdmin):
    list_display = ("unit", "expected_by", "notify_guardians")
    raw_id_fields = ("unit",)


@admin.register(ChildAttendanceInfo)
class ChildAttendanceInfoAdmin(admin.ModelAdmin):
    list_display = ("child", "may_walk_home_alone")
    raw_id_fields = ("child",)


@admin.register(AbsenceReport)
class AbsenceReportAdmin(admin.ModelAdmin):
    list_display = ("child", "kind", "start_date", "end_date", "reported_at", "cancelled_at")
    raw_id_fields = ("child", "reported_by")
    readonly_fields = ("reported_at",)


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    """Planleggingsdager, sommerstengt, jul …: for one unit (and its departments) or a whole municipality."""

    list_display = ("start_date", "end_date", "reason", "description", "unit", "municipality", "unit_kind")
    list_filter = ("reason", "unit_kind", "municipality")
    search_fields = ("description", "unit__name")
    date_hierarchy = "start_date"
    raw_id_fields = ("unit",)
