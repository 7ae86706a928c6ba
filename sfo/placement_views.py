"""Pages for leaders, merkantil and the sector office to change SFO places over time (place type, hours).

Calls ``sfo_placement_change``; an overlap or a bad combination of place type and hours comes back as form
errors and nothing is written.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_unit
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import ValidationError
from oas.people.models import Person
from sfo.placement_forms import SfoPlacementChangeForm
from sfo.placements import sfo_placement_change, sfo_unit_placements

ACTION = "sfo.placement.change"


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
                for name, msgs in exc.fields.items():
                    for msg in msgs:
                        if name in form.fields:
                            form.add_error(name, msg)
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Plassen er endret."))
                placements = sfo_unit_placements(unit=unit, day=today)
                form = SfoPlacementChangeForm(children=children, initial={"start_date": today})
        if form.errors and not request.headers.get("HX-Request"):
            status = 400
    audit_read(event="sfo.placements.read", person_ids=sorted({p.child_id for p in placements}))
    template = "placements/_sfo_panel.html" if request.headers.get("HX-Request") else "placements/sfo.html"
    return render(request, template, {"unit": unit, "placements": placements, "form": form}, status=status)
