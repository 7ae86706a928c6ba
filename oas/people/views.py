"""The office's page for confirming who a strengt fortrolig child lives with (issue 13.2). Thin: services decide."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from oas.access.getters import access_child
from oas.access.markers import requires
from oas.access.privacy import child_adults_current
from oas.errors import ValidationError
from oas.forms import form_add_domain_errors
from oas.people.models import Adressebeskyttelse
from oas.people.services import child_lives_with_confirm

ACTION = "person.confirm_lives_with"


class LivesWithForm(forms.Form):
    adults = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Barnet bor hos"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Voksne som ikke er krysset av, regnes som at barnet ikke bor hos dem."),
    )

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["adults"].choices = choices  # type: ignore[attr-defined]


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def child_lives_with(request: HttpRequest, child_id: int) -> HttpResponse:
    """Show and confirm which adults a strengt fortrolig child lives with; 404 unless the user may."""
    child = access_child(user=request.user, id=child_id, action=ACTION, audit_event="person.lives_with_child.read")
    relations = child_adults_current(child=child)
    choices = [(r.adult_id, f"{r.adult.full_name} ({r.get_kind_display()})") for r in relations]
    protected = child.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG
    initial = {"adults": [r.adult_id for r in relations if r.lives_with_child]}
    form = LivesWithForm(request.POST if request.method == "POST" else None, initial=initial, choices=choices)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                child_lives_with_confirm(user=request.user, child_id=child.pk, adult_ids=form.cleaned_data["adults"])
            except ValidationError as exc:
                form_add_domain_errors(form, exc)
            else:
                messages.success(request, _("Bekreftet hvem barnet bor hos."))
                return redirect("people:child_lives_with", child_id=child.pk)
        status = 400
    context = {"child": child, "relations": relations, "form": form, "protected": protected}
    return render(request, "people/child_lives_with.html", context, status=status)
