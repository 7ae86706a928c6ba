"""Admin for fee rates: national periods, municipal periods with their SFO place types."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from oas.errors import DomainError

from .models import MunicipalFeeRates, NationalFeeRates, SfoPlaceTypeRate
from .services import fee_rates_audit, municipal_fee_rates_check_max_price


class LockedRatesAdminMixin:
    """Rates used by a committed invoicing run are shown read-only and cannot be deleted; every save is audited."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and getattr(obj, "locked_at", None) is not None:
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and getattr(obj, "locked_at", None) is not None:
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        fee_rates_audit(row=obj, created=not change, changed=list(form.changed_data), user_id=request.user.pk)


@admin.register(NationalFeeRates)
class NationalFeeRatesAdmin(LockedRatesAdminMixin, admin.ModelAdmin):
    list_display = (
        "label",
        "valid_from",
        "valid_to",
        "max_price",
        "reduced_fee_income_limit",
        "core_hours_income_limit",
        "sfo_free_hours_max_grade",
        "verified",
        "locked_at",
    )
    list_filter = ("verified",)
    fieldsets = (
        (None, {"fields": ("label", "valid_from", "valid_to", "verified", "sources")}),
        (
            _("Barnehage"),
            {
                "fields": (
                    "max_price",
                    "max_price_low_centrality",
                    "max_price_tiltakssone",
                    "payments_per_year",
                    "full_time_hours",
                    "sibling_min_discount_child2",
                    "sibling_min_discount_child3_plus",
                    "reduced_fee_income_share",
                    "reduced_fee_income_limit",
                    "reduced_fee_sibling_share_child2",
                    "reduced_fee_sibling_share_child3_plus",
                    "core_hours_per_week",
                    "core_hours_income_limit",
                    "core_hours_min_age",
                    "core_hours_max_age",
                )
            },
        ),
        (_("SFO"), {"fields": ("sfo_free_hours_per_week", "sfo_free_hours_max_grade")}),
    )


class SfoPlaceTypeRateInline(admin.TabularInline):
    model = SfoPlaceTypeRate
    extra = 0

    def _locked(self, obj: Any) -> bool:
        return obj is not None and obj.locked_at is not None

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._locked(obj) and super().has_delete_permission(request, obj)


class MunicipalFeeRatesForm(forms.ModelForm):
    class Meta:
        model = MunicipalFeeRates
        exclude: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("valid_from") and data.get("kindergarten_full_time_price") is not None:
            try:
                municipal_fee_rates_check_max_price(
                    valid_from=data["valid_from"],
                    valid_to=data.get("valid_to"),
                    price_zone=data.get("price_zone") or "ordinary",
                    kindergarten_full_time_price=data["kindergarten_full_time_price"],
                    sibling_child2=data.get("kindergarten_sibling_discount_child2"),
                    sibling_child3_plus=data.get("kindergarten_sibling_discount_child3_plus"),
                )
            except DomainError as exc:
                field = next(iter(exc.fields), "kindergarten_full_time_price")
                self.add_error(field if field in self.fields else None, exc.message)
        return data


@admin.register(MunicipalFeeRates)
class MunicipalFeeRatesAdmin(LockedRatesAdminMixin, admin.ModelAdmin):
    form = MunicipalFeeRatesForm
    inlines = [SfoPlaceTypeRateInline]
    list_display = (
        "municipality",
        "label",
        "valid_from",
        "valid_to",
        "kindergarten_full_time_price",
        "is_demo",
        "locked_at",
    )
    list_filter = ("municipality", "is_demo")
    list_select_related = ("municipality",)
    fieldsets = (
        (None, {"fields": ("municipality", "label", "valid_from", "valid_to", "is_demo", "sources")}),
        (
            _("Barnehage"),
            {
                "fields": (
                    "price_zone",
                    "kindergarten_full_time_price",
                    "kindergarten_food_money",
                    "kindergarten_sibling_discount_child2",
                    "kindergarten_sibling_discount_child3_plus",
                    "kindergarten_payment_free_month",
                )
            },
        ),
        (
            _("SFO"),
            {
                "fields": (
                    "sfo_food_money",
                    "sfo_sibling_discount_child2",
                    "sfo_sibling_discount_child3_plus",
                    "sfo_income_share",
                    "sfo_income_cap_max_grade",
                    "sfo_payments_per_year",
                    "sfo_payment_free_month",
                )
            },
        ),
        (_("Kommunale valg"), {"fields": ("first_child_rule", "proration", "sibling_scope")}),
    )
