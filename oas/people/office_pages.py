"""The sector office's "place a child not yet in a unit" page, shared by the kindergarten and SFO apps.

Two steps: ``step=lookup`` finds the child by exact fødselsnummer/D-number (``child_lookup``, audit-logged) and
shows the app's placement form; ``step=create`` looks the child up again, validates the form and lets the app
create the placement through its own service. On success the child's placements are read again and an empty form
is shown; a failed lookup or refused form comes back with status 400 and messages on the form.

Each app keeps its form, its unit choices and its create function (which calls the app's own service) and passes
them in; domain apps do not import each other.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from oas import clock
from oas.access.evaluation import has_action
from oas.access.privacy import child_placements_view
from oas.errors import ValidationError
from oas.forms import form_add_domain_errors
from oas.organisation.models import OrgUnit
from oas.people.lookup import FoundChild, child_in_unit_municipality_check, child_lookup
from oas.people.models import Placement

F = TypeVar("F", bound=forms.Form)
F_co = TypeVar("F_co", bound=forms.Form, covariant=True)


class FormFactory(Protocol[F_co]):
    """Builds the app's placement form, e.g. ``functools.partial(TheForm, units=units)``."""

    def __call__(self, data: QueryDict | None, /, *, initial: Mapping[str, Any]) -> F_co: ...


class ChildLookupForm(forms.Form):
    """Step 1 on the sector office page: the child's fødselsnummer or D-number (11 digits)."""

    national_id = forms.CharField(
        label=gettext_lazy("Fødselsnummer eller D-nummer (11 siffer)"),
        max_length=13,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def office_placement_page(
    *,
    request: HttpRequest,
    action: str,
    lookup_event: str,
    template: str,
    make_form: FormFactory[F],
    create: Callable[[HttpRequest, FoundChild, F], Placement | None],
) -> HttpResponse:
    """Run the two-step lookup/create flow and render ``template`` (context: lookup, found, form, created).

    ``make_form(data, initial=...)`` builds the app's placement form (``data`` is the POST on ``step=create``, else
    None); ``create(request, found, form)`` gets a valid form and returns the new placement, or None after adding
    its errors to the form.
    """
    if not has_action(user=request.user, action=action):  # the page's gate; child_lookup authorises again
        raise PermissionDenied
    today = clock.today()
    step = request.POST.get("step", "") if request.method == "POST" else ""
    lookup = ChildLookupForm(request.POST if step == "lookup" else None)
    found: FoundChild | None = None
    form: F | None = None
    created: Placement | None = None
    status = 200
    if step in ("lookup", "create"):
        try:
            found = child_lookup(
                user=request.user, action=action, national_id=request.POST.get("national_id", ""), event=lookup_event
            )
        except ValidationError as exc:
            lookup = ChildLookupForm(request.POST)
            lookup.is_valid()
            lookup.add_error("national_id", exc.message)
            status = 400
    if found is not None:
        initial = {"national_id": found.person.national_id, "start_date": today}
        form = make_form(request.POST if step == "create" else None, initial=initial)
        if step == "create":
            if form.is_valid():
                created = create(request, found, form)
            if form.errors:
                status = 400
            elif created is not None:
                found = replace(found, placements=child_placements_view(user=request.user, child=found.person))
                form = make_form(None, initial=initial)
    return render(
        request, template, {"lookup": lookup, "found": found, "form": form, "created": created}, status=status
    )


def office_placement_create(
    *,
    request: HttpRequest,
    found: FoundChild,
    form: forms.Form,
    unit: OrgUnit,
    place: Callable[[], Placement],
    message: str,
) -> Placement | None:
    """Check the child is registered in the unit's municipality, call ``place`` and say so on success.

    A refusal (from the check or the app's service) goes onto ``form`` and None is returned. ``message`` is the
    translated success text with the placeholders ``%(child)s``, ``%(unit)s`` and ``%(start)s``.
    """
    try:
        child_in_unit_municipality_check(child=found.person, unit=unit)
        placement = place()
    except ValidationError as exc:
        form_add_domain_errors(form, exc)
        return None
    messages.success(
        request, message % {"child": found.name, "unit": unit.name, "start": f"{placement.start_date:%d.%m.%Y}"}
    )
    return placement
