"""Admin search of the audit log: read-only, filter by person, user, event and date range."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oas.audit.models import AuditEvent


class PersonFilter(admin.SimpleListFilter):
    """Filter by person ID (``?person=123``); the search box also takes ``person:123`` and ``user:45``."""

    title = _("person")
    parameter_name = "person"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, value)] if value else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(person_ids__contains=[int(value)])
        return queryset


class UserFilter(PersonFilter):
    title = _("bruker-ID")
    parameter_name = "user"

    def queryset(self, request: HttpRequest, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(user_id=int(value))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_display", "acting_role", "action", "event", "person_ids", "path", "ip")
    list_filter = (PersonFilter, UserFilter, "action", "event", ("at", admin.DateFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("event", "actor_display", "path")
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        term = search_term.strip()
        for prefix, lookup in (("person:", "person_ids__contains"), ("user:", "user_id")):
            if term.startswith(prefix) and term[len(prefix) :].isdigit():
                value = int(term[len(prefix) :])
                return queryset.filter(**{lookup: [value] if lookup.endswith("contains") else value}), False
        return super().get_search_results(request, queryset, search_term)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
