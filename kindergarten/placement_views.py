"""Pages for leaders, merkantil and the sector office to change kindergarten placements over time.

The page lists the unit's current and future placements and offers one form that calls
``kindergarten_placement_change``; an overlap or a child outside the age range comes back as form errors and
nothing is written.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kindergarten.placement_forms import KindergartenPlacementChangeForm, KindergartenPlacementCreateForm
from kindergarten.placements import kindergarten_placement_change, kindergarten_unit_placements
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import access_unit
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import ValidationError
from oas.forms import form_add_domain_errors
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.lookup import FoundChild
from oas.people.models import Person, Placement
from oas.people.office_pages import office_placement_create, office_placement_page

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
    units, departments = _office_units(request.user)
    return office_placement_page(
        request=request,
        action=CREATE,
        lookup_event="kindergarten.placement.lookup",
        template="placements/office_kindergarten.html",
        make_form=partial(KindergartenPlacementCreateForm, units=units, departments=departments),
        create=_office_create,
    )


def _office_create(request: HttpRequest, found: FoundChild, form: KindergartenPlacementCreateForm) -> Placement | None:
    data = form.cleaned_data
    unit = OrgUnit.objects.filter(pk=data["unit"], kind=OrgUnitKind.KINDERGARTEN).select_related("municipality").first()
    department = OrgUnit.objects.filter(pk=data["department"]).first() if data["department"] else None
    if unit is None:
        form.add_error("unit", _("Velg en barnehage."))
        return None

    def place() -> Placement:
        return kindergarten_placement_change(
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

    message = _("%(child)s har fått plass i %(unit)s fra %(start)s.")
    return office_placement_create(request=request, found=found, form=form, unit=unit, place=place, message=message)
