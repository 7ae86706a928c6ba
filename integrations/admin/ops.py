"""The operations page «Integrasjoner» in the Django admin, and read-only admin for letters, archive and ERP runs."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from integrations.letters.services import letters_mark_failure_handled
from integrations.models import (
    ArchiveCaseFile,
    ArchiveRecord,
    ErpImportRun,
    IntegrationOverview,
    IntegrationRun,
    Letter,
    LetterStatusChange,
)
from integrations.ops.selectors import integrations_overview


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(IntegrationOverview)
class IntegrationOverviewAdmin(admin.ModelAdmin):
    """Replaces the change list with the overview; needs ``integrations.view_integrationoverview``."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": _("Integrasjoner – driftsoversikt"),
            "overview": integrations_overview(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/integrations/overview.html", context)


class LetterStatusChangeInline(admin.TabularInline):
    model = LetterStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("status", "changed_at", "recorded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Letter)
class LetterAdmin(_ReadOnly):
    list_display = ("id", "ekstern_referanse", "title", "state", "status", "kun_digital_levering", "created_at")
    list_filter = ("state", "status", "kun_digital_levering", ("failure_handled_at", admin.EmptyFieldListFilter))
    actions = ["mark_failure_handled"]
    search_fields = ("ekstern_referanse", "forsendelse_id", "case_ref")
    exclude = ("pdf",)
    readonly_fields = [f.name for f in Letter._meta.fields if f.name != "pdf"]
    inlines = [LetterStatusChangeInline]

    @admin.action(description=_("Marker feilen som behandlet (brevet er fulgt opp på annen måte)"))
    def mark_failure_handled(self, request: HttpRequest, queryset: QuerySet[Letter]) -> None:
        count = letters_mark_failure_handled(letter_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, _("%(count)d brev markert som behandlet.") % {"count": count}, messages.SUCCESS)


@admin.register(ArchiveRecord)
class ArchiveRecordAdmin(_ReadOnly):
    list_display = ("id", "case_type", "case_id", "journalposttype", "state", "journalpostnummer", "archived_at")
    list_filter = ("state", "journalposttype", "case_type")
    search_fields = ("idempotency_key", "case_id", "journalpost_system_id")
    exclude = ("pdf",)
    readonly_fields = [f.name for f in ArchiveRecord._meta.fields if f.name != "pdf"]


@admin.register(ArchiveCaseFile)
class ArchiveCaseFileAdmin(_ReadOnly):
    list_display = ("mappe_id", "case_type", "saksaar", "sakssekvensnummer", "created_at")
    list_filter = ("case_type",)
    search_fields = ("mappe_id", "system_id")


@admin.register(ErpImportRun)
class ErpImportRunAdmin(_ReadOnly):
    list_display = ("file_name", "status", "source", "started_at", "finished_at", "counts")
    list_filter = ("status", "source")


@admin.register(IntegrationRun)
class IntegrationRunAdmin(_ReadOnly):
    list_display = ("system", "job", "ok", "started_at", "finished_at", "counts", "error")
    list_filter = ("system", "job", "ok")
