"""Forms for the public price calculator (input only; all rules live in the engine)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from .engine import UnitType

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CalculatorForm(forms.Form):
    date = forms.DateField(label=_("Måned (dato i måneden)"), widget=DATE_INPUT)
    municipality = forms.ChoiceField(label=_("Kommune"), choices=())
    annual_income = forms.DecimalField(
        label=_("Husholdningens samlede inntekt per år (kr)"),
        required=False,
        max_digits=12,
        decimal_places=0,
        help_text=_("Fyll inn for å se redusert foreldrebetaling og gratis kjernetid. La stå tom ellers."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )

    def __init__(self, *args: Any, municipalities: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = municipalities
        _designsystemet(self)

    def clean_annual_income(self) -> Decimal | None:
        value: Decimal | None = self.cleaned_data.get("annual_income")
        if value is not None and value < 0:
            raise forms.ValidationError(_("Inntekten kan ikke være negativ."))
        return value


class ChildForm(forms.Form):
    name = forms.CharField(label=_("Navn"), required=False, max_length=60)
    unit_type = forms.ChoiceField(
        label=_("Tilbud"),
        required=False,
        choices=[("", "—"), (UnitType.KINDERGARTEN.value, _("Barnehage")), (UnitType.SFO.value, _("SFO"))],
    )
    birth_date = forms.DateField(label=_("Fødselsdato"), required=False, widget=DATE_INPUT)
    place_percentage = forms.DecimalField(
        label=_("Plasstørrelse (%)"), required=False, min_value=1, max_value=100, decimal_places=2
    )
    weekly_hours = forms.DecimalField(
        label=_("Avtalt oppholdstid (timer/uke)"), required=False, min_value=1, max_value=60, decimal_places=1
    )
    grade = forms.IntegerField(label=_("Trinn (SFO)"), required=False, min_value=1, max_value=7)
    sfo_place_type = forms.ChoiceField(label=_("Plasstype (SFO)"), required=False, choices=())
    start_date = forms.DateField(label=_("Startdato"), required=False, widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Sluttdato"), required=False, widget=DATE_INPUT)
    utsatt_skolestart = forms.BooleanField(label=_("Utsatt skolestart"), required=False)

    def __init__(self, *args: Any, place_types: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["sfo_place_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *(place_types or [])]
        _designsystemet(self)

    def is_used(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return bool(data.get("unit_type") or data.get("birth_date"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit_type") and not data.get("birth_date"):
            self.add_error("birth_date", _("Oppgi fødselsdato."))
        if data.get("birth_date") and not data.get("unit_type"):
            self.add_error("unit_type", _("Velg barnehage eller SFO."))
        return data


def _designsystemet(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "ds-input")


ChildFormSet = formset_factory(ChildForm, extra=4, max_num=6, absolute_max=6)
