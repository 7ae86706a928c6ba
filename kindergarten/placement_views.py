"""Pages for leaders, merkantil and the sector office to change kindergarten placements over time.

The page lists the unit's current and future placements and offers one form that calls
``kindergarten_placement_change``; an overlap or a child outside the age range comes back as form errors and
nothing is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kindergarten.placement_forms import (
    ChildLookupForm,
    KindergartenPlacementChangeForm,
    KindergartenPlacementCreateForm,
)
from kindergarten.placements import kindergarten_placement_change, kindergarten_unit_placements
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

ACTION = "kindergarten.placement.change"
CREATE = "kindergarten.placement.create"


@requires(ACTION)
def kindergarten_placements(request: HttpRequest, unit_id: int) -> HttpResponse:
    """List the kindergarten's placements and change one from a date (department, size, hours, end)."""
    unit = access_unit(user=request.user, id=unit_id, action=ACTION)
    today = clock.today()
    placements = kindergarten_unit_placements(unit=unit, day=today)
    children = sorted({(p.child_id, p.child.full_name) for p in placements}, key=lambda c: c[1])
    departments = list(
        OrgUnit.objects.filter(parent=unit, kind=OrgUnitKind.DEPARTMENT).order_by("name").values_list("pk", "name")
    )
    form = KindergartenPlacementChangeForm(
        request.POST or None, children=children, departments=departments, initial={"start_date": today}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                kindergarten_placement_change(
                    child=Person.objects.get(pk=data["child"]),
                    unit=unit,
                    department=OrgUnit.objects.get(pk=data["department"]) if data["department"] else None,
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    size_kind=data["size_kind"],
                    size_value=data["size_value"],
                    weekly_hours=data["weekly_hours"],
                    user_id=request.user.pk,
                )
            except ValidationError as exc:
                form_add_domain_errors(form, exc)
            else:
                messages.success(request, _("Plassen er endret."))
                placements = kindergarten_unit_placements(unit=unit, day=today)
                form = KindergartenPlacementChangeForm(
                    children=children, departments=departments, initial={"start_date": today}
                )
        if form.errors and not request.headers.get("HX-Request"):
            status = 400
    audit_read(event="kindergarten.placements.read", person_ids=sorted({p.child_id for p in placements}))
    template = (
        "placements/_kindergarten_panel.html" if request.headers.get("HX-Request") else "placements/kindergarten.html"
    )
    return render(request, template, {"unit": unit, "placements": placements, "form": form}, status=status)


def _office_units(user: Any) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The kindergartens (and their departments) the user may place children in, in one query each."""
    today = clock.today()
    units = access_queryset(
        user=user,
        action=ACTION,
        queryset=OrgUnit.objects.filter(kind=OrgUnitKind.KINDERGARTEN, valid_from__lte=today).exclude(
            valid_to__lt=today
        ),
    ).order_by("name")
    unit_choices = list(units.values_list("pk", "name"))
    departments = [
        (pk, f"{parent} – {name}")
        for pk, parent, name in OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT, parent__in=units)
        .exclude(valid_to__lt=today)
        .order_by("parent__name", "name")
        .values_list("pk", "parent__name", "name")
    ]
    return unit_choices, departments


@requires(CREATE)
def kindergarten_placement_new(request: HttpRequest) -> HttpResponse:
    """Sector office: find a child by exact fødselsnummer/D-number in the municipality and give it a place.

    Step 1 (``step=lookup``) finds the child; step 2 (``step=create``) looks the child up again and calls
    ``kindergarten_placement_change`` (overlaps, age range and unit kind are refused there, nothing written).
    """
    if not has_action(user=request.user, action=CREATE):
        raise PermissionDenied
    today = clock.today()
    step = request.POST.get("step", "") if request.method == "POST" else ""
    lookup = ChildLookupForm(request.POST if step == "lookup" else None)
    units, departments = _office_units(request.user)
    found: FoundChild | None = None
    form: KindergartenPlacementCreateForm | None = None
    created = None
    status = 200
    if step in ("lookup", "create"):
        national_id = request.POST.get("national_id", "")
        try:
            found = child_lookup(user=request.user, national_id=national_id, event="kindergarten.placement.lookup")
        except ValidationError as exc:
            lookup = ChildLookupForm(request.POST)
            lookup.is_valid()
            lookup.add_error("national_id" if "national_id" in lookup.fields else None, exc.message)
            status = 400
    if found is not None:
        initial = {"national_id": found.person.national_id, "start_date": today}
        form = KindergartenPlacementCreateForm(
            request.POST if step == "create" else None, units=units, departments=departments, initial=initial
        )
        if step == "create":
            if form.is_valid():
                created = _office_create(request, found, form)
            if form.errors:
                status = 400
            elif created is not None:
                found = replace(found, placements=child_placements_view(user=request.user, child=found.person))
                form = KindergartenPlacementCreateForm(units=units, departments=departments, initial=initial)
    return render(
        request,
        "placements/office_kindergarten.html",
        {"lookup": lookup, "found": found, "form": form, "created": created},
        status=status,
    )


def _office_create(request: HttpRequest, found: FoundChild, form: KindergartenPlacementCreateForm) -> Any:
    data = form.cleaned_data
    unit = OrgUnit.objects.filter(pk=data["unit"], kind=OrgUnitKind.KINDERGARTEN).select_related("municipality").first()
    department = OrgUnit.objects.filter(pk=data["department"]).first() if data["department"] else None
    if unit is None:
        form.add_error("unit", _("Velg en barnehage."))
        return None
    try:
        child_in_unit_municipality_check(child=found.person, unit=unit)
        placement = kindergarten_placement_change(
            child=found.person,
            unit=unit,
            department=department,
            start_date=data["start_date"],
            end_date=data["end_date"],
            size_kind=data["size_kind"],
            size_value=data["size_value"],
            weekly_hours=data["weekly_hours"],
            user_id=request.user.pk,
        )
    except ValidationError as exc:
        form_add_domain_errors(form, exc)
        return None
    messages.success(
        request,
        _("%(child)s har fått plass i %(unit)s fra %(start)s.")
        % {"child": found.name, "unit": unit.name, "start": f"{placement.start_date:%d.%m.%Y}"},
    )
    return placement
