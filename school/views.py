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
from oas.access.evaluation import access_queryset
from oas.access.getters import AccessNotFound, access_object, access_unit
from oas.access.markers import requires
from oas.access.privacy import child_adults_current, persons_contact_view
from oas.access.selectors import may_learn_whereabouts
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnitKind
from oas.people.models import Person, RelationKind
from school import selectors, services
from school.models import DAY_LESSON

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
        reported = [
            a.child_id for a in absent_children_on(child_ids=selectors.group_pupil_ids(group=group, day=day), day=day)
        ]
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
    registration = selectors.registration_for(group=group, day=day, lesson=lesson)
    saved = selectors.registration_rows(registration=registration) if registration else {}
    adults = selectors.pickup_names(pupil_ids=ids, day=day)
    rows = [
        {
            "pupil": p,
            "report": reports.get(p.pk),
            "saved": saved.get(p.pk),
            "checked": (not saved[p.pk].present) if p.pk in saved else p.pk in reports,
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
    children = list(
        access_queryset(user=request.user, action="school.child.read", queryset=Person.objects.order_by("first_name"))
    )
    rows: list[dict[str, Any]] = []
    for child in children:
        klass = selectors.pupil_class(pupil_id=child.pk, day=today)
        if klass is None:
            continue  # not a pupil (a kindergarten child)
        # Strengt fortrolig: the parent the child does not live with keeps the information (barneloven § 47),
        # never the school, the class or who teaches it.
        whereabouts = may_learn_whereabouts(user=request.user, child=child)
        contact = selectors.contact_teachers(class_ids=[klass.pk], day=today).get(klass.pk, []) if whereabouts else []
        rows.append(
            {
                "child": child,
                "klass": klass if whereabouts else None,
                "school": klass.parent if whereabouts else None,
                "contact_teachers": contact,
                "absences": selectors.pupil_absences(pupil_id=child.pk),
            }
        )
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
