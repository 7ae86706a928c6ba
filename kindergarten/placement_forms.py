"""Form for changing a kindergarten placement over time (the page in ``placement_views``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kindergarten.models import SizeKind


class KindergartenPlacementChangeForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Barn"), coerce=int)
    department = forms.TypedChoiceField(label=_("Avdeling"), coerce=int, required=False, empty_value=None)
    start_date = forms.DateField(label=_("Gjelder fra"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Til og med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    size_kind = forms.ChoiceField(label=_("Plasstype"), choices=SizeKind.choices, initial=SizeKind.PERCENT)
    size_value = forms.IntegerField(label=_("Plasstørrelse (prosent eller dager)"), initial=100)
    weekly_hours = forms.DecimalField(
        label=_("Avtalt oppholdstid per uke (timer)"), max_digits=4, decimal_places=1, required=False
    )

    def __init__(
        self, *args: object, children: list[tuple[int, str]], departments: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["child"].choices = children  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", _("Ingen avdeling")), *departments]  # type: ignore[attr-defined]


class KindergartenPlacementCreateForm(forms.Form):
    """Step 2 on the sector office page: a kindergarten place for the child that was looked up."""

    national_id = forms.CharField(widget=forms.HiddenInput, max_length=13)
    unit = forms.TypedChoiceField(label=_("Barnehage"), coerce=int)
    department = forms.TypedChoiceField(label=_("Avdeling"), coerce=int, required=False, empty_value=None)
    size_kind = forms.ChoiceField(label=_("Plasstype"), choices=SizeKind.choices, initial=SizeKind.PERCENT)
    size_value = forms.IntegerField(label=_("Plasstørrelse (prosent eller dager)"), initial=100)
    weekly_hours = forms.DecimalField(
        label=_("Avtalt oppholdstid per uke (timer)"), max_digits=4, decimal_places=1, required=False
    )
    start_date = forms.DateField(label=_("Startdato"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("Til og med (valgfritt)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: object, units: list[tuple[int, str]], departments: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
        self.fields["department"].choices = [("", _("Ingen avdeling")), *departments]  # type: ignore[attr-defined]
