"""Admin: the role mapping (edited), derived roles (read-only), grants, foster/pick-up settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy

from oas.access.actions import all_actions
from oas.access.models import AccessGrant, GuardianAccessSettings, RoleAssignment, RoleMapping
from oas.access.services import grant_create, grant_revoke, roles_recompute_all
from oas.audit.services import audit_read
from oas.organisation.models import OrgUnit
from oas.people.models import Person


class NamedAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answer, with the text the related model's admin gives (``autocomplete_label``).

    A user is shown by name and employee number, never by the internal username (``staff-DEMO0009``).
    """

    def serialize_result(self, obj: Any, to_field_name: str) -> dict[str, Any]:
        result: dict[str, Any] = super().serialize_result(obj, to_field_name)  # type: ignore[misc]  # not in stubs
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        return result


def _named_autocomplete_view(request: HttpRequest) -> HttpResponse:
    response = NamedAutocompleteJsonView.as_view(admin_site=admin.site)(request)
    assert isinstance(response, HttpResponse)  # a JsonResponse
    return response


# The admin site builds its URLs from this attribute (``AdminSite.get_urls``): the same URL, access checks and
# permission checks (``admin_view``, the related model admin's view permission), only the text differs.
admin.site.autocomplete_view = _named_autocomplete_view  # type: ignore[method-assign]


def user_label(user: Any) -> str:
    """A user as a person knows them: "Lars Lærersen (ansattnr. DEMO0009)"; the username only without a name."""
    name = user.get_full_name() or user.get_username()
    account = getattr(user, "account", None)
    employee = getattr(account, "employee", None) if account is not None else None
    if employee is not None:
        return gettext("%(name)s (ansattnr. %(number)s)") % {"name": name, "number": employee.employee_number}
    return str(name)


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserLookupAdmin(UserAdmin):
    """Django's user admin, found by name, employee number or fødselsnummer and shown by name (grant form)."""

    search_fields = (
        "first_name",
        "last_name",
        "username",
        "account__employee__employee_number",
        "=account__employee__person__national_id",
        "=account__person__national_id",
    )
    list_display = ("username", "first_name", "last_name", "is_staff")

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("account__employee")

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        results, distinct = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            people = results.values_list("account__employee__person_id", "account__person_id")[:20]
            audit_read(event="admin.user_search", person_ids=[pid for pair in people for pid in pair if pid])
        return results, distinct

    def autocomplete_label(self, obj: Any) -> str:
        return user_label(obj)


@admin.register(Person)
class PersonLookupAdmin(admin.ModelAdmin):
    """Only the admin's person picker (autocomplete by name or fødselsnummer): not listed, nothing to edit.

    Every search is audit-logged with the persons it showed; addresses are never part of the answer.
    """

    search_fields = ("first_name", "last_name", "=national_id")
    ordering = ("last_name", "first_name")

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}  # not on the admin index: people are managed from the population register

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str) -> tuple[Any, bool]:
        term = " ".join(search_term.split())
        if " " in term and not term.replace(" ", "").isdigit():
            # "Kari Nordmann": every word must match a name.
            for word in term.split(" "):
                queryset = queryset.filter(models.Q(first_name__icontains=word) | models.Q(last_name__icontains=word))
            results, distinct = queryset, False
        else:
            results, distinct = super().get_search_results(request, queryset, term)
        if term:
            audit_read(event="admin.person_search", person_ids=list(results.values_list("pk", flat=True)[:20]))
        return results, distinct


@admin.register(OrgUnit)
class OrgUnitLookupAdmin(admin.ModelAdmin):
    """The admin's unit picker (autocomplete by name or code)."""

    search_fields = ("name", "code")
    ordering = ("name",)

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        return {}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
    action = forms.ChoiceField(label=gettext_lazy("Handling"), choices=())

    class Meta:
        model = AccessGrant
        fields = ("user", "action", "person", "unit", "valid_from", "valid_to", "reason")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a.code, f"{a.code} – {a.label}") for a in all_actions()]  # type: ignore[attr-defined]
        if "user" in self.fields:
            self.fields["user"].label_from_instance = user_label  # type: ignore[attr-defined]


@admin.register(AccessGrant)
class AccessGrantAdmin(admin.ModelAdmin):
    form = AccessGrantForm
    list_display = ("user_name", "action", "person_name", "unit", "valid_from", "valid_to", "granted_by")
    list_filter = ("action",)
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "person__first_name",
        "person__last_name",
        "=person__national_id",
        "unit__name",
        "reason",
    )
    list_select_related = ("user", "person", "unit")
    # Choose people, users and units by typing a name (or a fødselsnummer), never by internal id.
    autocomplete_fields = ("person", "unit", "user")

    @admin.display(description=gettext_lazy("bruker"), ordering="user__last_name")
    def user_name(self, obj: AccessGrant) -> str:
        return user_label(obj.user)

    @admin.display(description=gettext_lazy("barn/person"), ordering="person__last_name")
    def person_name(self, obj: AccessGrant) -> str:
        return f"{obj.person.first_name} {obj.person.last_name}" if obj.person else ""

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
