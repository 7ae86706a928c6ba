from django.contrib import admin

from attendance.models import AbsenceReport, ChildAttendanceInfo, UnitAttendanceSettings


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
