"""Pages for leaders, merkantil and the sector office to change SFO places over time (place type, hours).

Calls ``sfo_placement_change``; an overlap or a bad combination of place type and hours comes back as form
errors and nothing is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.access.getters import access_unit
from oas.access.markers import requires
from oas.access.privacy import child_placements_view
from oas.audit.services import audit_read
from oas.errors import ValidationError
from oas.forms import form_add_domain_errors
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.lookup import FoundChild, child_in_unit_municipality_check, child_lookup
from oas.people.models import Person
from sfo.placement_forms import ChildLookupForm, SfoPlacementChangeForm, SfoPlacementCreateForm
from sfo.placements import sfo_placement_change, sfo_unit_placements

ACTION = "sfo.placement.change"
CREATE = "sfo.placement.create"


@requires(ACTION)
def sfo_placements(request: HttpRequest, unit_id: int) -> HttpResponse:
    """List the SFO's places and change one from a date (place type, hours per week, end)."""
    unit = access_unit(user=request.user, id=unit_id, action=ACTION)
    today = clock.today()
    placements = sfo_unit_placements(unit=unit, day=today)
    children = sorted({(p.child_id, p.child.full_name) for p in placements}, key=lambda c: c[1])
    form = SfoPlacementChangeForm(request.POST or None, children=children, initial={"start_date": today})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                sfo_placement_change(
                    child=Person.objects.get(pk=data["child"]),
                    unit=unit,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    place_type=data["place_type"],
                    hours_per_week=data["hours_per_week"],
                    user_id=request.user.pk,
                )
            except ValidationError as exc:
                form_add_domain_errors(form, exc)
            else:
                messages.success(request, _("Plassen er endret."))
                placements = sfo_unit_placements(unit=unit, day=today)
                form = SfoPlacementChangeForm(children=children, initial={"start_date": today})
        if form.errors and not request.headers.get("HX-Request"):
            status = 400
    audit_read(event="sfo.placements.read", person_ids=sorted({p.child_id for p in placements}))
    template = "placements/_sfo_panel.html" if request.headers.get("HX-Request") else "placements/sfo.html"
    return render(request, template, {"unit": unit, "placements": placements, "form": form}, status=status)


def _office_units(user: Any) -> list[tuple[int, str]]:
    """The SFOs the user may place children in (one query)."""
    today = clock.today()
    units = access_queryset(
        user=user,
        action=ACTION,
        queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SFO, valid_from__lte=today).exclude(valid_to__lt=today),
    )
    return list(units.order_by("name").values_list("pk", "name"))


@requires(CREATE)
def sfo_placement_new(request: HttpRequest) -> HttpResponse:
    """Sector office: find a child by exact fødselsnummer/D-number in the municipality and give it an SFO place.

    Step 1 (``step=lookup``) finds the child; step 2 (``step=create``) looks the child up again and calls
    ``sfo_placement_change`` (overlaps and bad place type/hours are refused there, nothing written).
    """
    if not has_action(user=request.user, action=CREATE):
        raise PermissionDenied
    today = clock.today()
    step = request.POST.get("step", "") if request.method == "POST" else ""
    lookup = ChildLookupForm(request.POST if step == "lookup" else None)
    units = _office_units(request.user)
    found: FoundChild | None = None
    form: SfoPlacementCreateForm | None = None
    created = None
    status = 200
    if step in ("lookup", "create"):
        try:
            found = child_lookup(
                user=request.user, national_id=request.POST.get("national_id", ""), event="sfo.placement.lookup"
            )
        except ValidationError as exc:
            lookup = ChildLookupForm(request.POST)
            lookup.is_valid()
            lookup.add_error("national_id", exc.message)
            status = 400
    if found is not None:
        initial = {"national_id": found.person.national_id, "start_date": today}
        form = SfoPlacementCreateForm(request.POST if step == "create" else None, units=units, initial=initial)
        if step == "create":
            if form.is_valid():
                created = _office_create(request, found, form)
            if form.errors:
                status = 400
            elif created is not None:
                found = replace(found, placements=child_placements_view(user=request.user, child=found.person))
                form = SfoPlacementCreateForm(units=units, initial=initial)
    return render(
        request,
        "placements/office_sfo.html",
        {"lookup": lookup, "found": found, "form": form, "created": created},
        status=status,
    )


def _office_create(request: HttpRequest, found: FoundChild, form: SfoPlacementCreateForm) -> Any:
    data = form.cleaned_data
    unit = OrgUnit.objects.filter(pk=data["unit"], kind=OrgUnitKind.SFO).select_related("municipality").first()
    if unit is None:
        form.add_error("unit", _("Velg en SFO."))
        return None
    try:
        child_in_unit_municipality_check(child=found.person, unit=unit)
        placement = sfo_placement_change(
            child=found.person,
            unit=unit,
            start_date=data["start_date"],
            end_date=data["end_date"],
            place_type=data["place_type"],
            hours_per_week=data["hours_per_week"],
            user_id=request.user.pk,
        )
    except ValidationError as exc:
        form_add_domain_errors(form, exc)
        return None
    messages.success(
        request,
        _("%(child)s har fått SFO-plass i %(unit)s fra %(start)s.")
        % {"child": found.name, "unit": unit.name, "start": f"{placement.start_date:%d.%m.%Y}"},
    )
    return placement
