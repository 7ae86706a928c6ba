"""Pages for leaders, merkantil and the sector office to change SFO places over time (place type, hours).

Calls ``sfo_placement_change``; an overlap or a bad combination of place type and hours comes back as form
errors and nothing is written.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

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
from sfo.placement_forms import SfoPlacementChangeForm, SfoPlacementCreateForm
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
    units = _office_units(request.user)
    return office_placement_page(
        request=request,
        action=CREATE,
        lookup_event="sfo.placement.lookup",
        template="placements/office_sfo.html",
        make_form=partial(SfoPlacementCreateForm, units=units),
        create=_office_create,
    )


def _office_create(request: HttpRequest, found: FoundChild, form: SfoPlacementCreateForm) -> Placement | None:
    data = form.cleaned_data
    unit = OrgUnit.objects.filter(pk=data["unit"], kind=OrgUnitKind.SFO).select_related("municipality").first()
    if unit is None:
        form.add_error("unit", _("Velg en SFO."))
        return None

    def place() -> Placement:
        return sfo_placement_change(
            child=found.person,
            unit=unit,
            start_date=data["start_date"],
            end_date=data["end_date"],
            place_type=data["place_type"],
            hours_per_week=data["hours_per_week"],
            user_id=request.user.pk,
        )

    message = _("%(child)s har fått SFO-plass i %(unit)s fra %(start)s.")
    return office_placement_create(request=request, found=found, form=form, unit=unit, place=place, message=message)
