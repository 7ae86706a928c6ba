"""Pages for leaders, merkantil and the sector office to change kindergarten placements over time.

The page lists the unit's current and future placements and offers one form that calls
``kindergarten_placement_change``; an overlap or a child outside the age range comes back as form errors and
nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from kindergarten.placement_forms import KindergartenPlacementChangeForm
from kindergarten.placements import kindergarten_placement_change, kindergarten_unit_placements
from oas import clock
from oas.access.getters import access_unit
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person

ACTION = "kindergarten.placement.change"


def _add_errors(form: KindergartenPlacementChangeForm, exc: ValidationError) -> None:
    for name, msgs in exc.fields.items():
        for msg in msgs:
            if name in form.fields:
                form.add_error(name, msg)
    form.add_error(None, exc.message)


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
                _add_errors(form, exc)
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
