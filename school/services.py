"""Writes of the school domain: structure (years, subjects, groups, teachers) and lesson attendance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance.public import absent_children_on, is_expected_day
from messaging.public import notify
from oas import clock
from oas.access.getters import access_object
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError, full_clean_or_raise
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.organisation.services import orgunit_create
from oas.people.models import Employee, GroupAssignment, GroupRole
from oas.periods import active_on
from school import selectors
from school.models import (
    DAY_LESSON,
    AbsenceReason,
    AttendanceRegistration,
    GroupMembership,
    PupilAttendance,
    SchoolYear,
    Subject,
    SubjectSource,
    TeachingGroup,
    Term,
)
from school.public import planned_lessons

if TYPE_CHECKING:
    from oas.access.principal import Actor

# The common subjects of grunnskolen: short code, LK20 curriculum code in Grep, name. An import from Grep replaces it.
COMMON_SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("NOR", "NOR01-06", "Norsk"),
    ("MAT", "MAT01-05", "Matematikk"),
    ("ENG", "ENG01-04", "Engelsk"),
    ("NAT", "NAT01-04", "Naturfag"),
    ("SAF", "SAF01-04", "Samfunnsfag"),
    ("KRLE", "RLE01-03", "Kristendom, religion, livssyn og etikk"),
    ("KHV", "KHV01-02", "Kunst og håndverk"),
    ("MUS", "MUS01-02", "Musikk"),
    ("KRO", "KRO01-05", "Kroppsøving"),
    ("MHE", "MHE01-02", "Mat og helse"),
    ("UTV", "UTV01-03", "Utdanningsvalg"),
    ("FSP", "FSP01-02", "Fremmedspråk"),
)

# attendance's AbsenceKind → the reason on the school's list.
_REPORT_REASON = {"sick": AbsenceReason.SICK}


def subjects_seed() -> int:
    """Create or update the common subjects (source "seed"); never touches subjects imported from Grep."""
    created = 0
    for code, curriculum, name in COMMON_SUBJECTS:
        _obj, was_created = Subject.objects.get_or_create(
            code=code, defaults={"name": name, "curriculum_code": curriculum, "source": SubjectSource.SEED}
        )
        created += int(was_created)
    return created


def school_year_ensure(*, municipality: Any, start_year: int) -> SchoolYear:
    """Return the school year starting in August ``start_year`` with its two terms, creating them if missing."""
    year, _created = SchoolYear.objects.get_or_create(
        municipality=municipality,
        start_date=dt.date(start_year, 8, 15),
        defaults={"name": f"{start_year}–{start_year + 1}", "end_date": dt.date(start_year + 1, 6, 20)},
    )
    if not year.terms.exists():
        Term.objects.bulk_create(
            [
                Term(
                    school_year=year, name=_("Høst"), start_date=year.start_date, end_date=dt.date(start_year, 12, 31)
                ),
                Term(school_year=year, name=_("Vår"), start_date=dt.date(start_year + 1, 1, 1), end_date=year.end_date),
            ]
        )
    return year


@transaction.atomic
def teaching_group_create(
    *, school: OrgUnit, subject: Subject, school_year: SchoolYear, code: str, name: str
) -> TeachingGroup:
    """Create an undervisningsgruppe (an org unit of kind GROUP under the school) for one subject."""
    if school.kind != OrgUnitKind.SCHOOL:
        raise ValidationError(_("Undervisningsgrupper må høre til en skole."), fields={"school": [_("Ikke en skole.")]})
    unit = orgunit_create(
        municipality=school.municipality,
        kind=OrgUnitKind.GROUP,
        code=code,
        name=name,
        valid_from=school_year.start_date,
        parent=school,
    )
    group = TeachingGroup(unit=unit, school=school, subject=subject, school_year=school_year)
    full_clean_or_raise(group)
    group.save()
    return group


def membership_add(*, group: OrgUnit, pupil_ids: Iterable[int], valid_from: dt.date) -> int:
    """Add pupils to a teaching group from ``valid_from`` (pupils already members then are skipped)."""
    existing = set(
        GroupMembership.objects.filter(active_on(valid_from), group=group).values_list("pupil_id", flat=True)
    )
    rows = [
        GroupMembership(group=group, pupil_id=pid, valid_from=valid_from) for pid in pupil_ids if pid not in existing
    ]
    GroupMembership.objects.bulk_create(rows)
    if rows:
        audit_record(
            action=AuditAction.CREATE,
            event="school.membership.add",
            person_ids=[r.pupil_id for r in rows],
            object_type="organisation.OrgUnit",
            object_id=group.pk,
        )
    return len(rows)


def teacher_assign(
    *, group: OrgUnit, employee: Employee, valid_from: dt.date, role: str = GroupRole.GROUP_STAFF
) -> GroupAssignment:
    """Assign a teacher to a class or teaching group; the kernel derives the group role (and so the access)."""
    found = GroupAssignment.objects.filter(active_on(valid_from), employee=employee, group=group, role=role).first()
    if found is not None:
        return found
    assignment = GroupAssignment(employee=employee, group=group, role=role, valid_from=valid_from)
    full_clean_or_raise(assignment)
    assignment.save()  # the kernel's signal recomputes the employee's roles
    audit_record(
        action=AuditAction.CREATE,
        event="school.teacher.assign",
        object_type="people.GroupAssignment",
        object_id=assignment.pk,
        details={"group": group.pk, "employee": employee.pk, "role": role},
    )
    return assignment


@dataclass(frozen=True)
class RegistrationResult:
    registration: AttendanceRegistration
    present: int
    absent: int
    notified_pupils: list[int]


def _refuse(*, user: Actor, group_id: int, message: str, person_ids: Iterable[int] = (), **details: Any) -> None:
    """Audit a refused registration (outside any transaction, so it survives) and raise the error."""
    audit_record(
        action=AuditAction.DENIED,
        event="school.attendance.register.denied",
        person_ids=list(person_ids),
        object_type="organisation.OrgUnit",
        object_id=group_id,
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="attendance_refused")


def _refuse_cancelled(*, user: Actor, group_id: int, day: dt.date, lesson: int) -> None:
    """Refuse a lesson the published timetable has cancelled that day (a day change)."""
    planned = planned_lessons(group_id=group_id, day=day) if lesson != DAY_LESSON else None
    if planned is not None and any(lesson in p.numbers and p.cancelled for p in planned):
        _refuse(user=user, group_id=group_id, message=_("Timen er avlyst denne dagen: fravær kan ikke føres."))


def _attendance_rows(
    *,
    registration: AttendanceRegistration,
    members: list[int],
    absent: set[int],
    on_leave: set[int],
    reports: dict[int, Any],
    previous: dict[int, bool],
    already_notified: set[int],
) -> tuple[list[PupilAttendance], list[int]]:
    """Build the lesson's rows (present, or absent with the reason) and the pupils whose guardians to notify."""
    rows: list[PupilAttendance] = []
    to_notify: list[int] = []
    for pupil_id in members:
        is_absent = pupil_id in absent
        report = reports.get(pupil_id)
        reason = ""
        if is_absent and pupil_id in on_leave:
            reason = AbsenceReason.LEAVE  # granted leave (§ 2-2): the guardians know; nobody is notified
        elif is_absent:
            reason = _REPORT_REASON.get(report.kind, AbsenceReason.PLANNED) if report else AbsenceReason.UNANNOUNCED
        notified = previous.get(pupil_id, False)
        if reason == AbsenceReason.UNANNOUNCED and pupil_id not in already_notified:
            to_notify.append(pupil_id)
            notified = True
        rows.append(
            PupilAttendance(
                registration=registration,
                pupil_id=pupil_id,
                day=registration.day,
                present=not is_absent,
                reason=reason,
                absence_report_id=report.report_id if (report and is_absent) else None,
                guardians_notified=notified,
            )
        )
    return rows, to_notify


def attendance_register(
    *, user: Actor, group_id: int | str, day: dt.date, lesson: int = DAY_LESSON, absent_ids: Iterable[int | str] = ()
) -> RegistrationResult:
    """Register a lesson's (or the day's) attendance: everyone present except ``absent_ids``.

    Guardian-reported absence (sykt barn, planned) gives the reason; other absence is unannounced and notifies the
    pupil's guardians once that day. Refused (nothing written, refusal audit-logged): a group the user may not
    register for (404), a day without school, a lesson number out of range, a pupil not in the group.
    """
    group = access_object(
        user=user,
        # The teaching group (and its school) come along: no query to tell a school group or find its school.
        queryset=OrgUnit.objects.filter(kind__in=selectors.SCHOOL_GROUP_KINDS).select_related(
            "parent", "teaching_group__school"
        ),
        id=group_id,
        action="school.group.register_attendance",
    )
    if not selectors.is_school_group(group):
        _refuse(user=user, group_id=group.pk, message=_("Dette er ikke en klasse eller undervisningsgruppe."))
    if not is_expected_day(day):
        _refuse(
            user=user,
            group_id=group.pk,
            message=_("Det er ikke skoledag %(day)s (helg eller helligdag): fravær kan ikke føres.")
            % {"day": day.strftime("%d.%m.%Y")},
            day=day.isoformat(),
        )
    if day > clock.today():
        _refuse(user=user, group_id=group.pk, message=_("Fravær kan ikke føres for en dag fram i tid."))
    if not 0 <= int(lesson) <= 12:
        _refuse(user=user, group_id=group.pk, message=_("Ugyldig time: bruk 1–12, eller 0 for hele dagen."))
    _refuse_cancelled(user=user, group_id=group.pk, day=day, lesson=int(lesson))
    try:
        absent = {int(i) for i in absent_ids}
    except (TypeError, ValueError):
        _refuse(user=user, group_id=group.pk, message=_("Ugyldig elev-ID."))
    # One query: the members and which of them have granted leave today (§ 2-2).
    members, on_leave = selectors.group_pupil_ids_with_leave(group=group, day=day)
    strangers = sorted(absent - set(members))
    if strangers:
        _refuse(
            user=user,
            group_id=group.pk,
            message=_("Eleven er ikke med i %(group)s denne dagen: fravær kan ikke føres.") % {"group": group.name},
            person_ids=[i for i in strangers if i < 2**63],
        )
    # Guardian-reported absence only matters for the pupils marked absent (none: no query).
    reports = {a.child_id: a for a in absent_children_on(child_ids=sorted(absent), day=day)} if absent else {}
    now = clock.now()
    with transaction.atomic():
        # One INSERT … ON CONFLICT DO UPDATE for the registration (the lesson saved again updates it).
        (registration,) = AttendanceRegistration.objects.bulk_create(
            [
                AttendanceRegistration(
                    group=group,
                    day=day,
                    lesson=int(lesson),
                    registered_by_user_id=getattr(user, "pk", None),
                    registered_at=now,
                )
            ],
            update_conflicts=True,
            unique_fields=["group", "day", "lesson"],
            update_fields=["registered_by_user_id", "registered_at"],
        )
        # One query for the pupils' rows that day: this lesson's previous rows and who was already notified.
        previous: dict[int, bool] = {}
        already_notified: set[int] = set()
        for pupil_id, registration_id, notified_before in PupilAttendance.objects.filter(
            day=day, pupil_id__in=members
        ).values_list("pupil_id", "registration_id", "guardians_notified"):
            if registration_id == registration.pk:
                previous[pupil_id] = notified_before
            if notified_before:
                already_notified.add(pupil_id)
        rows, to_notify = _attendance_rows(
            registration=registration,
            members=members,
            absent=absent,
            on_leave=on_leave,
            reports=reports,
            previous=previous,
            already_notified=already_notified,
        )
        # Rows of pupils who have left the group since the last save go; the rest are one upsert.
        gone = set(previous) - set(members)
        if gone:
            PupilAttendance.objects.filter(registration=registration, pupil_id__in=gone).delete()
        PupilAttendance.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["registration", "pupil"],
            update_fields=["day", "present", "reason", "absence_report_id", "guardians_notified"],
        )
        if to_notify:
            guardians = selectors.pupil_guardian_ids(pupil_ids=to_notify, day=day)
            school = selectors.school_of(group)
            for pupil_id in to_notify:
                # One notification per pupil and day (messaging is idempotent per person and key).
                notify(
                    person_ids=guardians.get(pupil_id, []),
                    key=f"school.absence.{pupil_id}.{day.isoformat()}",
                    title=_("Eleven er registrert fraværende uten melding i dag (%(group)s).") % {"group": group.name},
                    url=reverse("school:portal_school"),
                    # Urgent: the portal and SMS at once (e-mail too), whatever the hour; the unit gets a task
                    # for guardians it cannot reach.
                    urgent=True,
                    unit_id=school.pk if school else None,
                )
        audit_record(
            action=AuditAction.UPDATE if previous else AuditAction.CREATE,
            event="school.attendance.register",
            person_ids=members,
            object_type="school.AttendanceRegistration",
            object_id=registration.pk,
            details={
                "group": group.pk,
                "day": day.isoformat(),
                "lesson": int(lesson),
                "absent": sorted(absent),
                "notified": to_notify,
            },
        )
    return RegistrationResult(
        registration=registration,
        present=len(members) - len(absent),
        absent=len(absent),
        notified_pupils=to_notify,
    )


def teacher_assign_checked(
    *,
    user: Actor,
    school_id: int | str,
    group_id: int | str,
    employee_id: int | str,
    role: str = GroupRole.GROUP_STAFF,
) -> GroupAssignment:
    """Assign an employee of the school to one of its classes or teaching groups (the school's own page).

    ``role`` is ``contact_teacher`` for a class's kontaktlærer (opplæringslova § 14-2). A class made for a coming
    school year (the new 1st grade) gets the teacher from its first day. Refused (nothing written, audit-logged): a
    school the user may not manage (404), a group outside the school, an employee without a current employment at
    the school, a kontaktlærer for anything but a class, an unknown role.
    """
    school = access_object(
        user=user,
        queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL),
        id=school_id,
        action="school.structure.manage",
    )
    today = clock.today()
    group = (
        OrgUnit.objects.filter(kind__in=selectors.SCHOOL_GROUP_KINDS, path__startswith=school.path)
        .exclude(pk=school.pk)
        .filter(pk=int(group_id) if str(group_id).isdecimal() else 0)
        .first()
    )
    employee = Employee.objects.filter(
        active_on(today, prefix="employments__"),
        pk=int(employee_id) if str(employee_id).isdecimal() else 0,
        employments__unit=school,
    ).first()
    problem = ""
    if group is None or not selectors.is_school_group(group):
        problem = _("Gruppen finnes ikke ved denne skolen.")
    elif employee is None:
        problem = _("Den ansatte har ikke stilling ved denne skolen.")
    elif role not in GroupRole.values:
        problem = _("Ukjent rolle i gruppen.")
    elif role == GroupRole.CONTACT_TEACHER and group.kind != OrgUnitKind.CLASS:
        problem = _("Kontaktlærer knyttes til en klasse (basisgruppe), ikke en undervisningsgruppe.")
    elif group.valid_to is not None and group.valid_to < today:
        problem = _("Gruppen er avsluttet.")
    if problem:
        audit_record(
            action=AuditAction.DENIED,
            event="school.teacher.assign.denied",
            object_type="organisation.OrgUnit",
            object_id=school.pk,
            details={
                "reason": problem,
                "group": str(group_id)[:20],
                "employee": str(employee_id)[:20],
                "role": str(role)[:20],
            },
        )
        raise ValidationError(problem, code="assignment_refused")
    assert group is not None and employee is not None
    # A class that begins later (next school year's 1st grade) gets its teacher from its first day.
    return teacher_assign(group=group, employee=employee, valid_from=max(today, group.valid_from), role=role)
