"""Folkeregisteret sync state in the admin (read-only): cursor, runs, register change notices."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from integrations.freg.services import register_change_notices_resolve
from integrations.models import FregCursor, FregSyncRun, RegisterChangeNotice


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return False


@admin.register(FregCursor)
class FregCursorAdmin(_ReadOnly):
    list_display = ("name", "last_sequence", "updated_at")


@admin.register(FregSyncRun)
class FregSyncRunAdmin(_ReadOnly):
    list_display = ("kind", "status", "started_at", "finished_at", "from_sequence", "to_sequence", "counts", "error")
    list_filter = ("kind", "status")


@admin.register(RegisterChangeNotice)
class RegisterChangeNoticeAdmin(_ReadOnly):
    list_display = ("kind", "person", "unit", "sequence", "created_at", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter), "unit")
    raw_id_fields = ("person", "unit")
    actions = ["mark_resolved"]

    @admin.action(description=_("Marker som behandlet"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[RegisterChangeNotice]) -> None:
        count = register_change_notices_resolve(
            notice_ids=list(queryset.values_list("id", flat=True)), user_id=request.user.pk
        )
        self.message_user(request, _("%(count)d endringer er markert som behandlet.") % {"count": count})

    def has_change_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        # Needed for the action; the fields themselves stay read-only.
        return bool(request.user.has_perm("integrations.change_registerchangenotice"))

    def get_readonly_fields(self, request: HttpRequest, obj: object | None = None) -> list[str]:
        return [f.name for f in RegisterChangeNotice._meta.fields]
