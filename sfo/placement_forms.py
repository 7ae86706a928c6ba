"""Form for changing an SFO place over time (the page in ``placement_views``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sfo.models import PlaceType


class SfoPlacementChangeForm(forms.Form):
    child = forms.TypedChoiceField(label=_("Barn"), coerce=int)
    start_date = forms.DateField(label=_("Gjelder fra"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Til og med"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    place_type = forms.ChoiceField(label=_("Plasstype"), choices=PlaceType.choices, initial=PlaceType.FULL)
    hours_per_week = forms.IntegerField(label=_("Timer per uke (bare timeplass)"), required=False)

    def __init__(self, *args: object, children: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["child"].choices = children  # type: ignore[attr-defined]


class SfoPlacementCreateForm(forms.Form):
    """Step 2 on the sector office page: an SFO place for the child that was looked up."""

    national_id = forms.CharField(widget=forms.HiddenInput, max_length=13)
    unit = forms.TypedChoiceField(label=_("SFO"), coerce=int)
    place_type = forms.ChoiceField(label=_("Plasstype"), choices=PlaceType.choices, initial=PlaceType.FULL)
    hours_per_week = forms.IntegerField(label=_("Timer per uke (bare timeplass)"), required=False)
    start_date = forms.DateField(label=_("Startdato"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        label=_("Til og med (valgfritt)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, units: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["unit"].choices = units  # type: ignore[attr-defined]
