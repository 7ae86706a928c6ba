"""Pages: the teacher's groups, a class list with attendance, a pupil, the principal's overview, the guardian's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from attendance.public import absent_children_on, is_expected_day
from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.access.getters import AccessNotFound, access_object, access_unit
from oas.access.markers import requires
from oas.access.privacy import child_adults_current, persons_contact_view
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, RelationKind
from school import leave, rollover, selectors, services
from school.models import DAY_LESSON, LeaveStatus

REGISTER = "school.group.register_attendance"


def _day(value: str | None) -> dt.date:
    if not value:
        return clock.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return clock.today()


def _lesson(value: str | None) -> int:
    try:
        return max(0, min(12, int(value or DAY_LESSON)))
    except ValueError:
        return DAY_LESSON


@requires(REGISTER)
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    """Mine grupper: the classes and teaching groups the user teaches (or leads)."""
    groups = list(selectors.groups_for_user(user=request.user))
    return render(request, "school/my_groups.html", {"groups": groups})


@requires(REGISTER)
@require_http_methods(["GET", "POST"])
def group_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The class list of a class or teaching group, with the lesson's attendance form (pre-filled from reports)."""
    group = access_unit(user=request.user, id=unit_id, action=REGISTER)
    if not selectors.is_school_group(group):
        raise AccessNotFound(_("Ikke funnet."))
    source = request.POST if request.method == "POST" else request.GET
    day, lesson = _day(source.get("dato")), _lesson(source.get("time"))
    if request.method == "POST":
        members = selectors.group_pupil_ids(group=group, day=day)
        reported = sorted(
            {a.child_id for a in absent_children_on(child_ids=members, day=day)}
            | leave.leave_pupils_on(pupil_ids=members, day=day)
        )
        absent = reported if request.POST.get("alle") else request.POST.getlist("fravaer")
        try:
            result = services.attendance_register(
                user=request.user, group_id=group.pk, day=day, lesson=lesson, absent_ids=absent
            )
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{request.path}?dato={day.isoformat()}&time={lesson}")
        messages.success(
            request,
            _("Fravær registrert: %(present)s til stede, %(absent)s borte.")
            % {"present": result.present, "absent": result.absent},
        )
        return redirect(f"{request.path}?dato={day.isoformat()}&time={lesson}")
    pupils = selectors.group_pupils(group=group, day=day)
    ids = [p.pk for p in pupils]
    reports = {a.child_id: a for a in absent_children_on(child_ids=ids, day=day)}
    on_leave = leave.leave_pupils_on(pupil_ids=ids, day=day)
    registration = selectors.registration_for(group=group, day=day, lesson=lesson)
    saved = selectors.registration_rows(registration=registration) if registration else {}
    adults = selectors.pickup_names(pupil_ids=ids, day=day)
    rows = [
        {
            "pupil": p,
            "report": reports.get(p.pk),
            "saved": saved.get(p.pk),
            "leave": p.pk in on_leave,
            "checked": (not saved[p.pk].present) if p.pk in saved else (p.pk in reports or p.pk in on_leave),
            "pickup": adults.get(p.pk, []),
        }
        for p in pupils
    ]
    audit_read(event="school.group.read", person_ids=ids, object_type="organisation.OrgUnit", object_id=group.pk)
    teachers = selectors.group_teachers(group_ids=[group.pk], day=day).get(group.pk, [])
    return render(
        request,
        "school/group.html",
        {
            "group": group,
            "rows": rows,
            "day": day,
            "lesson": lesson,
            "lessons": range(9),
            "registration": registration,
            "school_day": is_expected_day(day),
            "teachers": teachers,
        },
    )


@requires("school.pupil.read")
@require_GET
def pupil_page(request: HttpRequest, child_id: int) -> HttpResponse:
    """One pupil: class, contact teacher, who may pick up (protected addresses respected), absence."""
    pupil = access_object(
        user=request.user,
        queryset=Person.objects.all(),
        id=child_id,
        action="school.pupil.read",
        audit_event="school.pupil.read",
    )
    today = clock.today()
    klass = selectors.pupil_class(pupil_id=pupil.pk, day=today)
    contact = selectors.contact_teachers(class_ids=[klass.pk], day=today).get(klass.pk, []) if klass else []
    relations = [r for r in child_adults_current(child=pupil) if r.kind in (RelationKind.GUARDIAN, RelationKind.PICKUP)]
    contacts = persons_contact_view(user=request.user, persons=[r.adult for r in relations])
    adults = [{"relation": r, "contact": c} for r, c in zip(relations, contacts, strict=True)]
    return render(
        request,
        "school/pupil.html",
        {
            "pupil": pupil,
            "klass": klass,
            "contact_teachers": contact,
            "adults": adults,
            "absences": selectors.pupil_absences(pupil_id=pupil.pk),
        },
    )


@requires("school.overview.read")
@require_GET
def overview(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The school's classes with pupils and absence registered this term (counts from the database)."""
    school = access_unit(user=request.user, id=unit_id, action="school.overview.read")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    since = dt.date(today.year, 8, 1) if today.month >= 8 else dt.date(today.year, 1, 1)
    rows = selectors.school_absence_overview(school=school, since=since)
    return render(request, "school/overview.html", {"school": school, "rows": rows, "since": since})


@requires("school.child.read")
@require_GET
def portal_school(request: HttpRequest) -> HttpResponse:
    """The guardian's school page per child: class, contact teacher and absence history."""
    today = clock.today()
    rows: list[dict[str, Any]] = [
        {
            "child": c.child,
            "klass": c.klass,
            "school": c.school,
            "contact_teachers": c.contact_teachers,
            "absences": selectors.pupil_absences(pupil_id=c.child.pk),
        }
        for c in selectors.children_school_for_guardian(user=request.user, day=today)
    ]
    audit_read(event="school.portal.read", person_ids=[r["child"].pk for r in rows])
    return render(request, "school/portal.html", {"rows": rows})


@requires("school.structure.manage")
@require_http_methods(["GET", "POST"])
def school_groups(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The school's classes and teaching groups with their teachers; assign a teacher to a group."""
    school = access_unit(user=request.user, id=unit_id, action="school.structure.manage")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    if request.method == "POST":
        try:
            services.teacher_assign_checked(
                user=request.user,
                school_id=school.pk,
                group_id=request.POST.get("gruppe", ""),
                employee_id=request.POST.get("ansatt", ""),
            )
            messages.success(request, _("Læreren er knyttet til gruppen."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("school:school_groups", unit_id=school.pk)
    today = clock.today()
    groups = selectors.school_groups(school=school, day=today)
    teachers = selectors.group_teachers(group_ids=[g.pk for g in groups], day=today)
    rows = [{"group": g, "teachers": teachers.get(g.pk, [])} for g in groups]
    return render(
        request,
        "school/school_groups.html",
        {"school": school, "rows": rows, "employees": selectors.school_teachers(school=school, day=today)},
    )


def _rollover_office(request: HttpRequest) -> OrgUnit:
    office = (
        access_queryset(
            user=request.user,
            action="school.rollover.run",
            queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SECTOR_OFFICE),
        )
        .select_related("municipality")
        .order_by("code")
        .first()
    )
    if office is None:
        raise AccessNotFound(_("Ikke funnet."))
    return office


@requires("school.rollover.run")
@require_http_methods(["GET", "POST"])
def rollover_page(request: HttpRequest) -> HttpResponse:
    """Skoleårsskifte: the municipal rollover, previewed per school and run with one button (at most once)."""
    municipality = _rollover_office(request).municipality
    year = rollover.school_year_current(municipality=municipality)
    if request.method == "POST":
        if year is None or str(year.pk) != request.POST.get("skolear", ""):
            messages.error(request, _("Skoleåret er endret siden siden ble åpnet. Se over forhåndsvisningen igjen."))
            return redirect("school:rollover")
        try:
            result = rollover.rollover_run(user=request.user, municipality=municipality, from_year=year)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("school:rollover")
        if result.already_done:
            messages.info(request, _("Skoleårsskiftet var allerede kjørt. Ingenting er endret."))
        else:
            messages.success(request, _("Skoleårsskiftet er kjørt."))
        return redirect("school:rollover")
    plan = rollover.rollover_plan(municipality=municipality, from_year=year) if year else None
    return render(request, "school/rollover.html", {"municipality": municipality, "year": year, "plan": plan})


@requires("school.leave.apply")
@require_http_methods(["GET", "POST"])
def portal_leave(request: HttpRequest) -> HttpResponse:
    """Permisjon: the guardian applies for leave for a pupil and sees the applications and decisions."""
    today = clock.today()
    children = [
        c
        for c in selectors.children_school_for_guardian(user=request.user, day=today)
        if c.whereabouts and has_action(user=request.user, action="school.leave.apply", target=c.child)
    ]
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("barn", "fra", "til", "begrunnelse")}
        try:
            leave.leave_apply(
                user=request.user,
                child_id=form["barn"],
                start_date=form["fra"],
                end_date=form["til"],
                reason=form["begrunnelse"],
            )
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Søknaden om permisjon er sendt til skolen."))
            return redirect("school:portal_leave")
    applications = list(leave.leave_applications_for_user(user=request.user)[:50])
    audit_read(event="school.leave.read", person_ids=sorted({a.pupil_id for a in applications}))
    return render(
        request,
        "school/portal_leave.html",
        {"children": children, "applications": applications, "form": form, "today": today},
    )


@requires("school.leave.manage")
@require_http_methods(["GET", "POST"])
def school_leave(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The school's leave applications: the principal grants or refuses each (an enkeltvedtak letter follows)."""
    school = access_unit(user=request.user, id=unit_id, action="school.leave.manage")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    if request.method == "POST":
        grant = request.POST.get("vedtak") == "innvilg"
        try:
            leave.leave_decide(
                user=request.user,
                application_id=request.POST.get("soknad", ""),
                grant=grant,
                note=request.POST.get("begrunnelse", ""),
            )
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Permisjonen er innvilget.") if grant else _("Søknaden er avslått."))
        return redirect("school:school_leave", unit_id=school.pk)
    applications = leave.leave_applications_of_school(school=school)
    limit = selectors.school_settings_for(municipality_id=school.municipality_id).leave_max_school_days
    audit_read(event="school.leave.read", person_ids=sorted({a.pupil_id for a in applications}))
    return render(
        request,
        "school/school_leave.html",
        {
            "school": school,
            "pending": [a for a in applications if a.status == LeaveStatus.PENDING],
            "decided": [a for a in applications if a.status != LeaveStatus.PENDING],
            "limit": limit,
        },
    )
