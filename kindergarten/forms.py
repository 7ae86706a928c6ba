"""Forms of the admission pages: they parse and validate input; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kindergarten.models import AgeGroup, GroundKind, RoundKind, SizeKind

MAX_CHOICES = 5


class ApplicationForm(forms.Form):
    """A guardian's application: ranked kindergartens, start date, size and (optionally) one priority ground."""

    wanted_start_date = forms.DateField(label=_("Ønsket oppstart"), widget=forms.DateInput(attrs={"type": "date"}))
    size_kind = forms.ChoiceField(label=_("Plasstype"), choices=SizeKind.choices, initial=SizeKind.PERCENT)
    size_value = forms.IntegerField(label=_("Plasstørrelse"), min_value=1, max_value=100, initial=100)

    def __init__(self, *args: Any, unit_choices: list[tuple[int, str]], max_choices: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("Velg barnehage"))] + [(str(pk), name) for pk, name in unit_choices]
        for rank in range(1, min(max_choices, MAX_CHOICES) + 1):
            self.fields[f"choice_{rank}"] = forms.TypedChoiceField(
                label=_("Ønske %(n)s") % {"n": rank},
                choices=options,
                coerce=int,
                required=rank == 1,
                empty_value=None,
            )
        for kind, label in GroundKind.choices:
            self.fields[f"ground_{kind}"] = forms.BooleanField(label=label, required=False)
            self.fields[f"ground_{kind}_description"] = forms.CharField(
                label=_("Beskrivelse"), required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
            self.fields[f"ground_{kind}_file"] = forms.FileField(
                label=_("Vedlegg (PDF, JPEG eller PNG, høyst 10 MB)"), required=False
            )
        self.order_fields([f"choice_{r}" for r in range(1, MAX_CHOICES + 1)])

    def ground_kinds(self) -> list[str]:
        return [kind for kind in GroundKind.values if self.cleaned_data.get(f"ground_{kind}")]

    def choice_ids(self) -> list[int]:
        return [v for k, v in sorted(self.cleaned_data.items()) if k.startswith("choice_") and v is not None]


class OfferAnswerForm(forms.Form):
    answer = forms.ChoiceField(choices=[("accept", _("Ta imot")), ("decline", _("Takk nei"))])
    keep_waiting = forms.BooleanField(label=_("Stå på venteliste for høyere ønsker"), required=False, initial=True)


class RoundForm(forms.Form):
    code = forms.SlugField(label=_("Kode"), max_length=60)
    name = forms.CharField(label=_("Navn"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=RoundKind.choices)
    application_deadline = forms.DateField(label=_("Søknadsfrist"), widget=forms.DateInput(attrs={"type": "date"}))
    start_date = forms.DateField(label=_("Oppstart"), widget=forms.DateInput(attrs={"type": "date"}))


class CapacityForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    age_group = forms.ChoiceField(choices=AgeGroup.choices)
    capacity = forms.IntegerField(label=_("Plasser"), min_value=0, max_value=1000)


class LockForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    programme = forms.IntegerField(required=False)


class ApplicationChangeForm(ApplicationForm):
    """Change the wishes of a submitted application (priority grounds are not changed here)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [n for n in self.fields if n.startswith("ground_")]:
            del self.fields[name]
