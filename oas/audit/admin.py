"""Admin search of the audit log: read-only, filter by person, user, event and date range."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oas.audit.models import AuditEvent
from oas.people.models import Person


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
    list_display = ("at", "actor_display", "acting_role", "action", "event", "persons", "path", "ip")
    list_filter = (PersonFilter, UserFilter, "action", "event", ("at", admin.DateFieldListFilter))
    date_hierarchy = "at"
    search_fields = ("event", "actor_display", "path")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        # The persons' names, in the same query as the rows (people read names, not internal ids).
        names = RawSQL(
            "ARRAY(SELECT p.first_name || ' ' || p.last_name FROM people_person p"
            " WHERE p.id = ANY(audit_auditevent.person_ids) ORDER BY p.last_name, p.first_name)",
            (),
        )
        return super().get_queryset(request).annotate(person_names=names)

    @admin.display(description=_("personer"))
    def persons(self, obj: AuditEvent) -> str:
        names = list(getattr(obj, "person_names", None) or [])
        shown = ", ".join(names[:5])
        return f"{shown} (+{len(names) - 5})" if len(names) > 5 else shown

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[AuditEvent], search_term: str
    ) -> tuple[QuerySet[AuditEvent], bool]:
        """Search by a person's name or fødselsnummer (their rows), ``person:ID``/``user:ID``, or event text."""
        term = " ".join(search_term.split())
        if term.isdigit() and len(term) == 11:
            ids = list(Person.objects.filter(national_id=term).values_list("pk", flat=True))
            return queryset.filter(person_ids__overlap=ids or [0]), False
        if term and not any(term.startswith(p) for p in ("person:", "user:")) and not any(c in term for c in "._/"):
            people = Person.objects.all()
            for word in term.split(" "):
                people = people.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
            ids = list(people.values_list("pk", flat=True)[:200])
            by_text, distinct = super().get_search_results(request, queryset, search_term)
            if ids:
                return queryset.filter(Q(person_ids__overlap=ids) | Q(pk__in=by_text.values("pk"))), distinct
            return by_text, distinct
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
