"""Admin for admission configuration: rounds with capacity, and private kindergartens' statutory criteria."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext as _

from oas.organisation.models import Ownership

from .models import STATUTORY_CRITERIA, AdmissionRound, Appeal, KindergartenUnitDetail, Programme, UnitCriterion


class ProgrammeInline(admin.TabularInline):
    model = Programme
    extra = 0
    fields = ("unit", "age_group", "capacity")
    raw_id_fields = ("unit",)


@admin.register(AdmissionRound)
class AdmissionRoundAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "state", "application_deadline", "start_date", "max_choices")
    list_filter = ("kind", "state")
    # The state moves only through the services (match, publish); the seed is recorded once.
    readonly_fields = ("state", "lottery_seed", "matched_at", "published_at")
    inlines = [ProgrammeInline]


class UnitCriterionForm(forms.ModelForm):
    class Meta:
        model = UnitCriterion
        fields = ("unit", "position", "kind")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, kind = data.get("unit"), data.get("kind")
        if unit is not None and unit.ownership != Ownership.PRIVATE:
            raise forms.ValidationError(_("Kommunale barnehager følger kommunens opptakskriterier."))
        if kind in STATUTORY_CRITERIA:
            raise forms.ValidationError(_("Barn med prioritet etter barnehageloven § 18 kommer alltid først."))
        return data


@admin.register(UnitCriterion)
class UnitCriterionAdmin(admin.ModelAdmin):
    """A private kindergarten's ordered criteria from its statutes (vedtekter)."""

    form = UnitCriterionForm
    list_display = ("unit", "position", "kind")
    list_filter = ("kind",)
    raw_id_fields = ("unit",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = ("application", "received_at", "late", "status", "decided_at")
    list_filter = ("status", "late")
    raw_id_fields = ("application",)


@admin.register(KindergartenUnitDetail)
class KindergartenUnitDetailAdmin(admin.ModelAdmin):
    list_display = ("unit", "registered_places_small", "registered_places_big")
    raw_id_fields = ("unit",)
    search_fields = ("unit__name",)
