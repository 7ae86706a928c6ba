"""Pages: the guardian's absence page ("sykt barn"), the krysseliste tablet page, today's absences, occupancy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import selectors, services
from attendance.models import AbsenceKind, AbsenceReport
from attendance.occupancy import kindergarten_occupancy
from attendance.tokens import TAP_TOKEN_SECONDS, tap_token_issue
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import AccessNotFound, access_unit
from oas.access.markers import requires
from oas.access.relations import ChildRight, user_child_ids
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.portal.selectors import my_children


@requires("portal.view")
@require_GET
def portal_absence(request: HttpRequest) -> HttpResponse:
    """The guardian's children, each with a "sykt barn" button and the absences reported ahead."""
    today = clock.today()
    children = my_children(user=request.user)
    # The kernel relation policy: guardians with foreldreansvar and foster parents report absence.
    may_report = user_child_ids(user=request.user, right=ChildRight.INFORMATION)
    guarded = [child for child in children if child.child_id in may_report]
    absences = selectors.absences_from_by_child(child_ids=[c.child_id for c in guarded], from_day=today)
    rows: list[dict[str, Any]] = [{"child": c, "absences": absences.get(c.child_id, [])} for c in guarded]
    audit_read(event="attendance.absence.portal", person_ids=[r["child"].child_id for r in rows])
    return render(
        request, "attendance/portal_absence.html", {"rows": rows, "kinds": AbsenceKind.choices, "today": today}
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Ugyldig dato."), fields={"date": [_("Bruk formatet ÅÅÅÅ-MM-DD.")]}) from None


@requires("attendance.absence.report")
@require_POST
def portal_absence_report(request: HttpRequest, child_id: int) -> HttpResponse:
    """Report a child absent: one report reaches every unit the child attends (unknown child → 404)."""
    try:
        result = services.absence_report(
            user=request.user,
            child_id=child_id,
            kind=request.POST.get("kind", AbsenceKind.SICK),
            start_date=_date(request.POST.get("start_date")),
            end_date=_date(request.POST.get("end_date")),
            until_further_notice=request.POST.get("until_further_notice") == "on",
            note=request.POST.get("note", ""),
        )
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("attendance:portal_absence")
    units = ", ".join(result.unit_names) or _("ingen enhet i dag")
    messages.success(request, _("Fraværet er meldt til: %(units)s.") % {"units": units})
    return redirect("attendance:portal_absence")


@requires("attendance.absence.report")
@require_POST
def portal_absence_cancel(request: HttpRequest, report_id: int) -> HttpResponse:
    """Withdraw an absence report (the child is well again)."""
    try:
        services.absence_cancel(user=request.user, report_id=report_id)
        messages.success(request, _("Fraværsmeldingen er trukket tilbake."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("attendance:portal_absence")


CHECKIN_UNIT_KINDS = (OrgUnitKind.KINDERGARTEN, OrgUnitKind.DEPARTMENT, OrgUnitKind.SFO, OrgUnitKind.GROUP)


@requires("attendance.checkin")
@require_GET
def checkin_units(request: HttpRequest) -> HttpResponse:
    """The departments and SFO groups whose krysseliste the user may open."""
    units = access_queryset(
        user=request.user,
        action="attendance.checkin",
        queryset=OrgUnit.objects.filter(kind__in=CHECKIN_UNIT_KINDS).order_by("path"),
    )
    return render(request, "attendance/units.html", {"units": units})


@requires("attendance.checkin")
@require_GET
def krysseliste(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The tablet page of one department or SFO group: expected, in, gone, absent; one tap to check in/out."""
    unit = access_unit(user=request.user, id=unit_id, action="attendance.checkin")
    today = clock.today()
    liste = selectors.krysseliste(unit=unit, day=today)
    rows = liste.rows
    audit_read(event="attendance.krysseliste", person_ids=[r.child_id for r in rows], object_id=unit.pk)
    counts = {s: sum(1 for r in rows if r.status == s) for s in ("expected", "in", "out", "absent")}
    token = tap_token_issue(user=request.user, unit_id=unit.pk, language=translation.get_language())
    return render(
        request,
        "attendance/krysseliste.html",
        {"unit": unit, "rows": rows, "today": today, "counts": counts, "closure": liste.closure, "tap_token": token},
    )


@requires("attendance.checkin")
@require_GET
def tap_token(request: HttpRequest, unit_id: int) -> JsonResponse:
    """A new tap token for the krysseliste of a unit (the page's token expired or the user's rights changed)."""
    unit = access_unit(user=request.user, id=unit_id, action="attendance.checkin")
    token = tap_token_issue(user=request.user, unit_id=unit.pk, language=translation.get_language())
    response = JsonResponse({"token": token, "expires_in": TAP_TOKEN_SECONDS})
    response["Cache-Control"] = "no-store"
    return response


@requires("attendance.absence.read")
@require_GET
def absences_today(request: HttpRequest) -> HttpResponse:
    """Absence reports covering today for the children the user may see, with the units each reaches."""
    today = clock.today()
    qs = AbsenceReport.objects.filter(selectors.active_on(today), cancelled_at__isnull=True).select_related("child")
    reports = list(access_queryset(user=request.user, action="attendance.absence.read", queryset=qs))
    placements = selectors.placements_on_by_child(child_ids=[r.child_id for r in reports], day=today)
    rows = [{"report": r, "units": [p.unit.name for p in placements.get(r.child_id, [])]} for r in reports]
    audit_read(event="attendance.absences_today", person_ids=[r.child_id for r in reports])
    return render(request, "attendance/absences_today.html", {"rows": rows, "today": today})


@requires("attendance.occupancy.read")
@require_http_methods(["GET"])
def occupancy(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Occupancy of a kindergarten per department (under 3 = two places) with staffing and pedagogue norms."""
    unit = access_unit(user=request.user, id=unit_id, action="attendance.occupancy.read")
    day = _date(request.GET.get("dato")) if request.GET.get("dato") else clock.today()
    report = kindergarten_occupancy(unit_id=unit.pk, day=day or clock.today())
    return render(request, "attendance/occupancy.html", {"unit": unit, "report": report, "day": day})
