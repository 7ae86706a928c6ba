"""Outbox in the admin: the queue, dead letters with their reason, and a "retry" action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from integrations.models import OutboxMessage
from integrations.outbox.services import outbox_retry


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "attempts", "next_attempt_at", "short_error", "created_at", "delivered_at")
    list_filter = ("status", "kind")
    search_fields = ("idempotency_key", "kind")
    ordering = ("-created_at",)
    actions = ["retry_selected"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]

    @admin.display(description=_("siste feil"))
    def short_error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Prøv igjen (feilede leveranser)"))
    def retry_selected(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_retry(message_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(
            request,
            ngettext("%d leveranse er lagt i kø igjen.", "%d leveranser er lagt i kø igjen.", count) % count,
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutboxMessage | None = None) -> bool:
        return False
