"""Pages: the teacher's groups, a class list with attendance, a pupil, the principal's overview, the guardian's page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance.public import absent_children_on, is_expected_day
from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.access.getters import AccessNotFound, access_object, access_unit
from oas.access.markers import requires
from oas.access.privacy import child_adults_current, persons_contact_view
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import GroupRole, Person, RelationKind
from school import (
    absence,
    adapted_education,
    enrolment,
    leave,
    record_transfer,
    rollover,
    selectors,
    services,
    staffing,
)
from school.first_grade import first_grade_classes_create, first_grade_plan
from school.lessons import unregistered_lessons
from school.models import DAY_LESSON, EnrolmentStatus, LeaveStatus, PupilMove
from school.public import PlannedLesson, planned_lessons

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


def _lesson_options(planned: list[PlannedLesson] | None) -> list[dict[str, Any]]:
    """The lessons to register: the day (0) and the group's lessons that day in the published timetable (cancelled
    ones left out); without a published timetable the lesson numbers 1–8."""
    if planned is None:
        return [{"number": n, "label": ""} for n in range(9)]
    return [{"number": DAY_LESSON, "label": ""}] + [
        {
            "number": p.number,
            "label": f"{p.start:%H:%M}–{p.end:%H:%M} {p.subject}" + (f" ({p.change})" if p.change else ""),
        }
        for p in planned
        if not p.cancelled
    ]


@requires(REGISTER)
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    """Mine grupper: the classes and teaching groups the user teaches (or leads)."""
    groups = list(selectors.groups_for_user(user=request.user))
    # The arbeidsflate task's list: the same rows it counts.
    missing = unregistered_lessons(user=request.user)
    return render(request, "school/my_groups.html", {"groups": groups, "missing": missing, "today": clock.today()})


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
    planned = planned_lessons(group_id=group.pk, day=day)
    return render(
        request,
        "school/group.html",
        {
            "group": group,
            "rows": rows,
            "day": day,
            "lesson": lesson,
            "lessons": _lesson_options(planned),
            "cancelled": [p for p in planned or [] if p.cancelled],
            "from_timetable": planned is not None,
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
    year = rollover.school_year_current(municipality=klass.municipality, day=today) if klass else None
    certificate = (
        absence.certificate_absence(pupil_id=pupil.pk, school_year=year, grade=klass.grade) if klass and year else None
    )
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
            "certificate": certificate,
            "may_document": has_action(user=request.user, action="school.absence.document", target=pupil),
            "may_read_iop": has_action(user=request.user, action=adapted_education.READ, target=pupil),
            "may_move": has_action(user=request.user, action="school.pupil.move", target=pupil),
            "other_schools": OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, municipality_id=klass.municipality_id)
            .exclude(pk=klass.parent_id or 0)
            .order_by("name")
            if klass
            else [],
        },
    )


@requires("school.absence.document")
@require_POST
def pupil_absence_document(request: HttpRequest, child_id: int) -> HttpResponse:
    """Mark a day's absence as documented (it may then be left off the leaving certificate, § 9-44)."""
    try:
        marked = absence.absence_document(
            user=request.user, pupil_id=child_id, day=request.POST.get("dato", ""), note=request.POST.get("notat", "")
        )
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Fraværet er registrert som dokumentert (%(n)s registreringer).") % {"n": marked})
    return redirect("school:pupil", child_id=child_id)


@requires("school.group.read")
@require_GET
def absence_class(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A class's absence this term per pupil, with the municipality's threshold and the leaving-certificate count."""
    group = access_unit(user=request.user, id=unit_id, action="school.group.read")
    if group.kind != OrgUnitKind.CLASS or not selectors.is_school_group(group):
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    since = absence.term_start(today)
    percent = selectors.school_settings_for(municipality_id=group.municipality_id).absence_threshold_percent
    rates = {r.pupil_id: r for r in absence.absence_rates(group_ids=[group.pk], since=since).get(group.pk, [])}
    pupils = selectors.group_pupils(group=group, day=today)
    year = rollover.school_year_current(municipality=group.municipality, day=today)
    rows = []
    for p in pupils:
        rate = rates.get(p.pk)
        rows.append(
            {
                "pupil": p,
                "rate": rate,
                "over": bool(rate and rate.percent >= percent),
                "certificate": absence.certificate_absence(pupil_id=p.pk, school_year=year, grade=group.grade)
                if year and (group.grade or 0) >= absence.CERTIFICATE_FROM_GRADE
                else None,
            }
        )
    audit_read(event="school.absence.class.read", person_ids=[p.pk for p in pupils], object_id=group.pk)
    return render(
        request,
        "school/absence_class.html",
        {"group": group, "rows": rows, "since": since, "percent": percent},
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
    percent = selectors.school_settings_for(municipality_id=school.municipality_id).absence_threshold_percent
    over = absence.classes_over_threshold(group_ids=[r.class_id for r in rows], since=since, percent=percent)
    table = [{**vars(r), "over_threshold": len(over.get(r.class_id, []))} for r in rows]
    return render(
        request, "school/overview.html", {"school": school, "rows": table, "since": since, "percent": percent}
    )


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
            # Individually adapted education: only with the right to learn the school (not the non-resident parent
            # of a strengt fortrolig child); filtered by the access rules in SQL.
            "iop": adapted_education.adapted_case_for_guardian(user=request.user, child=c.child),
        }
        for c in selectors.children_school_for_guardian(user=request.user, day=today)
    ]
    audit_read(event="school.portal.read", person_ids=[r["child"].pk for r in rows])
    shown = [r["child"].pk for r in rows if r["iop"]]
    audit_read(event="school.iop.guardian_read", person_ids=shown, object_type="school.AdaptedEducation")
    return render(request, "school/portal.html", {"rows": rows})


@requires("school.staffing.read")
@require_GET
def school_staffing(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Elevtall og bemanning: pupils per grade, the teachers and the lærernorm per main stage, red when broken."""
    school = access_unit(user=request.user, id=unit_id, action="school.staffing.read")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    report = staffing.school_staffing(school=school, day=clock.today())
    return render(
        request,
        "school/staffing.html",
        {
            "school": school,
            "report": report,
            "may_overview": has_action(user=request.user, action="school.overview.read", target=school),
            "may_assign": has_action(user=request.user, action="school.structure.manage", target=school),
        },
    )


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
                role=request.POST.get("rolle", "") or GroupRole.GROUP_STAFF,
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
    # The 1st-grade classes made for this or the coming school year, each to get its kontaktlærer (§ 14-2).
    new_classes = list(selectors.new_first_grade_classes(schools=[school], day=today))
    contact = selectors.contact_teachers(class_ids=[c.pk for c in new_classes if c.valid_from <= today], day=today)
    for first_day in sorted({c.valid_from for c in new_classes if c.valid_from > today}):
        coming = [c.pk for c in new_classes if c.valid_from == first_day]
        contact.update(selectors.contact_teachers(class_ids=coming, day=first_day))
    first_grade = [{"group": c, "contact_teachers": contact.get(c.pk, [])} for c in new_classes]
    return render(
        request,
        "school/school_groups.html",
        {
            "school": school,
            "rows": rows,
            "first_grade": first_grade,
            "employees": selectors.school_teachers(school=school, day=today),
        },
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


@requires("school.overview.read")
@require_GET
def school_office(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Skolekontoret: the school's pupils and classes, groups, absence, leave and the coming rollover on one page."""
    school = access_unit(user=request.user, id=unit_id, action="school.overview.read")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    since = absence.term_start(today)
    classes = selectors.school_absence_overview(school=school, since=since)
    percent = selectors.school_settings_for(municipality_id=school.municipality_id).absence_threshold_percent
    over = absence.classes_over_threshold(group_ids=[c.class_id for c in classes], since=since, percent=percent)
    pupils = selectors.school_pupils(school=school, day=today)
    groups = [g for g in selectors.school_groups(school=school, day=today) if g.kind == OrgUnitKind.GROUP]
    year = rollover.school_year_current(municipality=school.municipality, day=today)
    plan = rollover.rollover_plan(municipality=school.municipality, from_year=year) if year else None
    school_plan = next((p for p in plan.schools if p.school_id == school.pk), None) if plan else None
    pending_leave = len(leave.leave_applications_of_school(school=school, status=LeaveStatus.PENDING))
    moves_in = list(
        PupilMove.objects.filter(to_school=school, to_done_at__isnull=True).select_related("pupil", "from_school")
    )
    moves_out = list(
        PupilMove.objects.filter(from_school=school, from_done_at__isnull=True).select_related("pupil", "to_school")
    )
    incoming = list(
        enrolment.enrolments_for_user(user=request.user).filter(school=school, school_year__start_date__gt=today)
    )
    record_steps = record_transfer.record_transfer_views(user=request.user, school=school, moves=moves_out)
    may_structure = has_action(user=request.user, action="school.structure.manage", target=school)
    first_grade = first_grade_plan(school=school, day=today) if may_structure else None
    audit_read(
        event="school.office.read",
        person_ids=[p.pupil.pk for p in pupils]
        + [m.pupil_id for m in moves_in + moves_out]
        + [e.child_id for e in incoming],
        object_id=school.pk,
    )
    return render(
        request,
        "school/office.html",
        {
            "school": school,
            "classes": classes,
            "over": {k: len(v) for k, v in over.items()},
            "percent": percent,
            "pupils": pupils,
            "groups": groups,
            "plan": plan,
            "school_plan": school_plan,
            "pending_leave": pending_leave,
            "since": since,
            "moves_in": moves_in,
            "moves_out": moves_out,
            "record_steps": record_steps,
            "incoming": incoming,
            "first_grade": first_grade,
        },
    )


def _next_start_year(today: dt.date) -> int:
    return today.year + 1 if today.month >= 3 else today.year


@requires("school.enrolment.run")
@require_http_methods(["GET", "POST"])
def enrolment_office(request: HttpRequest) -> HttpResponse:
    """Skoleinnskriving for the municipality: preview and run; decide the guardians' wishes for another school."""
    office = (
        access_queryset(
            user=request.user,
            action="school.enrolment.run",
            queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SECTOR_OFFICE),
        )
        .select_related("municipality")
        .order_by("code")
        .first()
    )
    if office is None:
        raise AccessNotFound(_("Ikke funnet."))
    municipality = office.municipality
    start_year = _next_start_year(clock.today())
    if request.method == "POST":
        try:
            if request.POST.get("handling") == "kjor":
                n = enrolment.enrolment_run(user=request.user, municipality=municipality, start_year=start_year)
                messages.success(request, _("%(n)s barn er skrevet inn. Brevene sendes til de foresatte.") % {"n": n})
            else:
                enrolment.enrolment_wish_decide(
                    user=request.user,
                    enrolment_id=request.POST.get("innskriving", ""),
                    grant=request.POST.get("vedtak") == "innvilg",
                    note=request.POST.get("begrunnelse", ""),
                )
                messages.success(request, _("Vedtaket er fattet. Brevet sendes til de foresatte."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("school:enrolment_office")
    found = enrolment.enrolment_candidates(municipality=municipality, start_year=start_year)
    per_school: dict[str, int] = {}
    for _child, school in found.assigned:
        per_school[school.name] = per_school.get(school.name, 0) + 1
    wishes = list(enrolment.enrolments_for_user(user=request.user).filter(status=EnrolmentStatus.WISH_PENDING)[:100])
    audit_read(
        event="school.enrolment.read",
        person_ids=[c.pk for c in found.without_school] + [w.child_id for w in wishes],
    )
    return render(
        request,
        "school/enrolment_office.html",
        {
            "start_year": start_year,
            "found": found,
            "per_school": sorted(per_school.items()),
            "wishes": wishes,
        },
    )


@requires("school.enrolment.wish")
@require_http_methods(["GET", "POST"])
def portal_enrolment(request: HttpRequest) -> HttpResponse:
    """Skolestart: the child's nærskole, a wish for another school, and consent to the kindergarten's handover."""
    if request.method == "POST":
        try:
            if request.POST.get("handling") == "samtykke":
                enrolment.enrolment_consent(
                    user=request.user,
                    enrolment_id=request.POST.get("innskriving", ""),
                    consent=request.POST.get("samtykke") == "ja",
                )
                messages.success(request, _("Svaret om samtykke er registrert."))
            else:
                enrolment.enrolment_wish(
                    user=request.user,
                    enrolment_id=request.POST.get("innskriving", ""),
                    school_id=request.POST.get("skole", ""),
                    reason=request.POST.get("begrunnelse", ""),
                )
                messages.success(request, _("Ønsket om annen skole er sendt til kommunen."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("school:portal_enrolment")
    rows = list(enrolment.enrolments_for_user(user=request.user)[:20])
    schools = (
        sorted(
            enrolment._first_grade_schools(rows[0].school_year.municipality, rows[0].school_year.start_date).values(),
            key=lambda s: s.name,
        )
        if rows
        else []
    )
    audit_read(event="school.enrolment.read", person_ids=[r.child_id for r in rows])
    return render(request, "school/portal_enrolment.html", {"rows": rows, "schools": schools})


@requires("school.pupil.move")
@require_POST
def pupil_move(request: HttpRequest, child_id: int) -> HttpResponse:
    """Move a pupil to another school of the municipality (both schools get a task; the record follows)."""
    try:
        enrolment.pupil_move(
            user=request.user,
            pupil_id=child_id,
            to_school_id=request.POST.get("skole", ""),
            day=request.POST.get("dato", ""),
        )
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Eleven er flyttet. Begge skolene har fått en oppgave."))
    return redirect("school:pupil", child_id=child_id)


@requires("school.structure.manage")
@require_POST
def first_grade_classes(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Create the 1st-grade classes for the next school start and place the enrolled children (the school office)."""
    try:
        plan = first_grade_classes_create(user=request.user, school_id=unit_id)
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("1. trinn: %(classes)s klasser, %(placed)s av %(enrolled)s barn plassert.")
            % {"classes": len(plan.existing_classes), "placed": plan.placed, "enrolled": plan.enrolled},
        )
    return redirect("school:office", unit_id=unit_id)


@requires("school.overview.read")
@require_POST
def pupil_move_done(request: HttpRequest, unit_id: int, move_id: int) -> HttpResponse:
    """Mark the school's part of a move as done."""
    try:
        enrolment.pupil_move_done(user=request.user, move_id=move_id, school_id=unit_id)
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("school:office", unit_id=unit_id)


@requires("school.pupil.record_transfer")
@require_POST
def pupil_record_transfer(request: HttpRequest, unit_id: int, move_id: int) -> HttpResponse:
    """Send the pupil record (elevmappen) of a pupil moving out of the municipality to the new municipality."""
    try:
        record_transfer.pupil_record_transfer(user=request.user, school_id=unit_id, move_id=move_id)
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Elevmappen sendes til den nye kommunen og arkiveres."))
    return redirect("school:office", unit_id=unit_id)
