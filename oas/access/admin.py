"""Admin: the role mapping (edited), derived roles (read-only), grants, foster/pick-up settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from oas.access.actions import all_actions
from oas.access.models import AccessGrant, GuardianAccessSettings, RoleAssignment, RoleMapping
from oas.access.services import grant_create, grant_revoke, roles_recompute_all


@admin.register(RoleMapping)
class RoleMappingAdmin(admin.ModelAdmin):
    list_display = ("source", "code", "role")
    list_filter = ("source", "role")
    search_fields = ("code",)

    def save_model(self, request: HttpRequest, obj: RoleMapping, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        roles_recompute_all()

    def delete_model(self, request: HttpRequest, obj: RoleMapping) -> None:
        super().delete_model(request, obj)
        roles_recompute_all()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        roles_recompute_all()


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("employee", "role", "unit", "valid_from", "valid_to")
    list_filter = ("role",)
    search_fields = ("employee__employee_number", "employee__person__last_name", "unit__name")
    list_select_related = ("employee", "unit")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccessGrantForm(forms.ModelForm):
    action = forms.ChoiceField(choices=())

    class Meta:
        model = AccessGrant
        fields = ("user", "action", "person", "unit", "valid_from", "valid_to", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.code, f"{a.code} – {a.label}") for a in all_actions()]  # type: ignore[attr-defined]


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    form = AccessGrantForm
    list_display = ("user", "action", "person", "unit", "valid_from", "valid_to", "granted_by")
    list_filter = ("action",)
    search_fields = ("user__username", "reason")
    raw_id_fields = ("person", "unit", "user")
    actions = ("revoke",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A grant is changed by revoking it and making a new one, so each change is audit-logged once.
        return ("user", "action", "person", "unit", "valid_from", "valid_to", "reason") if obj else ()

    def save_model(self, request: HttpRequest, obj: AccessGrant, form: Any, change: bool) -> None:
        if change:
            return
        created = grant_create(
            user_id=obj.user_id,
            action=obj.action,
            person=obj.person,
            unit=obj.unit,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            reason=obj.reason,
            granted_by=str(request.user),
        )
        obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Trekk tilbake valgte tilganger"))
    def revoke(self, request: HttpRequest, queryset: Any) -> None:
        for grant in queryset:
            grant_revoke(grant=grant)


@admin.register(GuardianAccessSettings)
class GuardianAccessSettingsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "foster_parent_actions", "pickup_actions")
