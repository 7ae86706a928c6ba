from django.contrib import admin

from school.models import MunicipalityReceiver, SchoolSettings, SchoolYear, Subject, TeachingGroup, Term


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "curriculum_code", "source", "active")
    list_filter = ("source", "active")
    search_fields = ("code", "name", "curriculum_code")


class TermInline(admin.TabularInline):
    model = Term
    extra = 0


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "start_date", "end_date")
    inlines = (TermInline,)


@admin.register(TeachingGroup)
class TeachingGroupAdmin(admin.ModelAdmin):
    list_display = ("unit", "school", "subject", "school_year")
    list_select_related = ("unit", "school", "subject", "school_year")
    raw_id_fields = ("unit", "school")


@admin.register(SchoolSettings)
class SchoolSettingsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "leave_max_school_days", "absence_threshold_percent", "first_grade_max_class_size")


@admin.register(MunicipalityReceiver)
class MunicipalityReceiverAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "organisation_number")
    search_fields = ("number", "name", "organisation_number")
