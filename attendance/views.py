"""Pages: the guardian's absence page ("sykt barn"), the krysseliste tablet page, today's absences, occupancy."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import selectors, services
from attendance.models import AbsenceKind, AbsenceReport, AbsenceSource
from attendance.occupancy import kindergarten_occupancy
from attendance.public import approved_places
from attendance.tokens import TAP_TOKEN_SECONDS, tap_token_issue
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import AccessNotFound, access_unit
from oas.access.markers import requires
from oas.access.relations import ChildRight, user_child_ids
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.periods import DATED, active_on
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


KRYSS_COUNT_KEYS = ("in", "expected", "absent", "out")
# The JS helper's locale for Intl.DateTimeFormat, by the page's language.
INTL_LOCALES = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}


def _kryss_strings() -> dict[str, str]:
    """The texts krysseliste.js shows, in the page's language (no text is written in the static file)."""
    return {
        "in_since": _("Inne siden %(time)s"),
        "gone": _("Gått %(time)s"),
        "check_in": _("Kryss inn"),
        "check_out": _("Kryss ut"),
        "check_in_again": _("Kryss inn igjen"),
        "rejected": _("Registreringen ble avvist."),
        "absence_failed": _("Fraværet ble ikke registrert. Prøv igjen."),
        "warning_sick_guardian": _("Meldt syk av foresatt – krysset inn %(time)s"),
        "warning_other_guardian": _("Meldt fravær (%(absence)s) av foresatt – krysset inn %(time)s"),
        "warning_sick_staff": _("Meldt syk av ansatt – krysset inn %(time)s"),
        "warning_other_staff": _("Meldt fravær (%(absence)s) av ansatt – krysset inn %(time)s"),
    }


def _kryss_warning(row: selectors.KryssRow, strings: dict[str, str]) -> str:
    """A reported absence of a child who came anyway: say so with the check-in time (Norwegian local time)."""
    if not row.absence_kind or row.checked_in_at is None or row.status not in ("in", "out"):
        return ""
    kind = "sick" if row.absence_kind == AbsenceKind.SICK else "other"
    source = "staff" if row.absence_source == AbsenceSource.STAFF else "guardian"
    at = timezone.localtime(row.checked_in_at, clock.OSLO)
    return strings[f"warning_{kind}_{source}"] % {"time": f"{at:%H:%M}", "absence": row.absence_label}


def _kryss_counts(rows: list[selectors.KryssRow]) -> dict[str, int]:
    """Present, not arrived (expected: nobody is on a closed day), absent, gone home."""
    counts = dict.fromkeys(KRYSS_COUNT_KEYS, 0)
    for row in rows:
        if row.status in counts:
            counts[row.status] += 1
    return counts


@requires("attendance.checkin")
@require_GET
def krysseliste(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The tablet page of one department or SFO group: expected, in, gone, absent; one tap to check in/out."""
    unit = access_unit(user=request.user, id=unit_id, action="attendance.checkin")
    today = clock.today()
    liste = selectors.krysseliste(unit=unit, day=today)
    rows = liste.rows
    audit_read(event="attendance.krysseliste", person_ids=[r.child_id for r in rows], object_id=unit.pk)
    token = tap_token_issue(user=request.user, unit_id=unit.pk, language=translation.get_language())
    strings = _kryss_strings()
    language = (translation.get_language() or "nb").split("-")[0]
    return render(
        request,
        "attendance/krysseliste.html",
        {
            "unit": unit,
            "rows": [{"row": row, "warning": _kryss_warning(row, strings)} for row in rows],
            "today": today,
            "counts": _kryss_counts(rows),
            "closure": liste.closure,
            "tap_token": token,
            "kryss_config": {
                "strings": strings,
                "locale": INTL_LOCALES.get(language, "nb-NO"),
                "time_zone": settings.TIME_ZONE,
            },
            "absence_kinds": [(AbsenceKind.SICK, _("Syk")), (AbsenceKind.OTHER, _("Fravær"))],
        },
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@requires("attendance.checkin")
@require_POST
def krysseliste_absence(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Mark a child sick or absent today from the krysseliste (JSON for the page's script, else back to the list)."""
    child_id = request.POST.get("child_id", "")
    try:
        if not child_id.isdigit():
            raise DomainError(_("Velg et barn."), fields={"child_id": [_("Mangler barn.")]})
        report = services.absence_mark(
            user=request.user,
            unit_id=unit_id,
            child_id=int(child_id),
            kind=request.POST.get("kind", AbsenceKind.SICK),
            note=request.POST.get("note", ""),
        )
    except AccessNotFound:
        raise
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse(exc.as_dict(), status=exc.http_status)
        messages.error(request, exc.message)
        return redirect("attendance:krysseliste", unit_id=unit_id)
    label = str(report.get_kind_display())
    if _wants_json(request):
        body = {"child_id": report.child_id, "status": "absent", "kind": report.kind, "label": label}
        return JsonResponse(body, status=201)
    messages.success(request, _("Fraværet er registrert: %(kind)s.") % {"kind": label})
    return redirect("attendance:krysseliste", unit_id=unit_id)


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
    qs = AbsenceReport.objects.filter(active_on(today, fields=DATED), cancelled_at__isnull=True).select_related("child")
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
    approved = approved_places(unit_ids=[unit.pk]).get(unit.pk)
    free = approved - report.total.places if approved is not None else None
    return render(
        request,
        "attendance/occupancy.html",
        {"unit": unit, "report": report, "day": day, "approved": approved, "free": free},
    )
