"""Admin: mailbox policies, notices, deliveries (status), missing-contact tasks. Message content is not shown."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from messaging.models import (
    HANDLER_ROLE_CHOICES,
    Delivery,
    Mailbox,
    MessagingSettings,
    MissingContactTask,
    Notice,
    WorkingHours,
)


class MailboxAdminForm(forms.ModelForm):
    handler_roles = forms.MultipleChoiceField(
        label=_("roller som behandler postkassen"),
        choices=HANDLER_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tom: standard for enhetstypen (klasse: kontaktlærer; enhet: leder og merkantil)."),
    )

    class Meta:
        model = Mailbox
        fields = (
            "unit",
            "handler_roles",
            "handlers",
            "substitute",
            "response_time_hours",
            "urgent_bypasses_quiet_hours",
            "guardians_may_mark_urgent",
            "notices_need_approval",
            "out_of_office_message",
            "out_of_office_until",
        )


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    """Who reads and is notified of a unit's conversations (need-to-know), and its policies."""

    form = MailboxAdminForm
    list_display = (
        "unit",
        "handler_roles",
        "substitute",
        "response_time_hours",
        "guardians_may_mark_urgent",
        "notices_need_approval",
    )
    search_fields = ("unit__name",)
    raw_id_fields = ("unit", "handlers", "substitute")

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("unit", "substitute")


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(admin.ModelAdmin):
    """A municipality's quiet hours for guardians (non-urgent notifications wait; default 21:00–07:00)."""

    fields = ("municipality", "guardian_quiet_hours", "guardian_quiet_start", "guardian_quiet_end")
    list_display = ("municipality", "guardian_quiet_hours", "guardian_quiet_start", "guardian_quiet_end")
    raw_id_fields = ("municipality",)


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
