"""Admin: mailbox policies, notices, deliveries (status), missing-contact tasks. Message content is not shown."""

from __future__ import annotations

from django.contrib import admin

from messaging.models import Delivery, Mailbox, MissingContactTask, Notice, WorkingHours


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    list_display = ("unit", "response_time_hours", "urgent_bypasses_quiet_hours", "notices_need_approval")
    search_fields = ("unit__name",)
    raw_id_fields = ("unit",)


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "status", "send_at", "sent_at")
    list_filter = ("status",)
    raw_id_fields = ("mailbox", "unit", "target_units", "target_municipality", "created_by")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("pk", "channel", "status", "attempts", "deliver_after", "sent_at", "last_error")
    list_filter = ("status", "channel")
    raw_id_fields = ("notification",)


@admin.register(MissingContactTask)
class MissingContactTaskAdmin(admin.ModelAdmin):
    list_display = ("person", "unit", "created_at", "resolved_at")
    raw_id_fields = ("person", "unit")


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("person", "weekday", "start", "end")
    raw_id_fields = ("person",)
