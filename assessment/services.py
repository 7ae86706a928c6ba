"""Writes of assessment: half-year assessments, final grades and their lock, appeals, remarks, conduct marks.

Every write checks access first (``access_unit`` audit-logs a refusal), validates the whole batch before writing
anything, and audit-logs the refusal of bad input outside the transaction so that the refusal survives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn

from django.db import transaction
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.models import (
    GRADE_MAX,
    GRADE_MIN,
    Appeal,
    ConductGrade,
    ConductMark,
    FinalGrade,
    FinalGradeLock,
    HalfYearAssessment,
    Remark,
    RemarkKind,
)
from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import AccessNotFound, access_unit
from oas.access.principal import principal_for
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind

if TYPE_CHECKING:
    from oas.access.principal import Actor
    from school.public import TeachingGroupInfo

COMMENT_MAX = 500


@dataclass(frozen=True)
class HalfYearEntry:
    """One pupil's input on the half-year form: a grade (text from the form) and comment, or a written text."""

    pupil_id: int
    grade: str = ""
    comment: str = ""
    written: str = ""


def _refuse(
    *, event: str, message: str, object_id: int | str, person_ids: Iterable[int] = (), **details: Any
) -> NoReturn:
    """Audit a refused write (outside any transaction, so it survives) and raise the error."""
    audit_record(
        action=AuditAction.DENIED,
        event=f"{event}.denied",
        person_ids=sorted(set(person_ids)),
        object_type="organisation.OrgUnit",
        object_id=object_id,
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="assessment_refused")


def _group(*, user: Actor, group_id: int | str, action: str) -> tuple[OrgUnit, TeachingGroupInfo]:
    group = access_unit(user=user, id=group_id, action=action)
    info = selectors.teaching_group(group=group)
    if info is None:
        raise AccessNotFound(_("Ikke funnet."))
    return group, info


def _parse_grade(value: str) -> int | None:
    """Return the grade 1–6 written in ``value``, or None when it is not one."""
    value = value.strip()
    if not value.isdecimal():
        return None
    grade = int(value)
    return grade if GRADE_MIN <= grade <= GRADE_MAX else None


def halfyear_save(*, user: Actor, group_id: int | str, entries: list[HalfYearEntry]) -> int:
    """Save this term's half-year assessments for pupils of a teaching group; all or nothing. Return rows saved."""
    group, info = _group(user=user, group_id=group_id, action="assessment.group.enter")
    today = clock.today()
    period = selectors.current_period(day=today)
    members = set(selectors.group_pupil_ids(group=group, day=today))
    levels = selectors.pupil_grade_levels(pupil_ids=[e.pupil_id for e in entries], day=today)
    event = "assessment.halfyear.save"
    todo: list[tuple[HalfYearEntry, int | None]] = []
    for entry in entries:
        grade_text, comment, written = entry.grade.strip(), entry.comment.strip(), entry.written.strip()
        if not (grade_text or comment or written):
            continue  # not assessed yet
        if entry.pupil_id not in members:
            _refuse(event=event, message=_("Eleven er ikke med i gruppen."), object_id=group.pk, pupil=entry.pupil_id)
        level = levels.get(entry.pupil_id) or 0
        if level >= selectors.GRADES_FROM:
            grade = _parse_grade(grade_text)
            if grade is None:
                _refuse(
                    event=event,
                    message=_("Karakteren må være et helt tall fra 1 til 6."),
                    object_id=group.pk,
                    person_ids=[entry.pupil_id],
                    value=grade_text[:20],
                )
            if len(comment) > COMMENT_MAX:
                _refuse(
                    event=event,
                    message=_("Kommentaren kan være høyst 500 tegn."),
                    object_id=group.pk,
                    person_ids=[entry.pupil_id],
                )
            todo.append((HalfYearEntry(pupil_id=entry.pupil_id, comment=comment), grade))
        else:
            if grade_text:
                _refuse(
                    event=event,
                    message=_("Elever under 8. trinn får ikke karakter, bare skriftlig vurdering."),
                    object_id=group.pk,
                    person_ids=[entry.pupil_id],
                    value=grade_text[:20],
                )
            if not written:
                continue
            todo.append((HalfYearEntry(pupil_id=entry.pupil_id, written=written), None))
    now = clock.now()
    with transaction.atomic():
        for entry, grade in todo:
            HalfYearAssessment.objects.update_or_create(
                pupil_id=entry.pupil_id,
                group=group,
                period=period,
                defaults={
                    "school_id": info.school_id,
                    "subject_code": info.subject_code,
                    "subject_name": info.subject_name,
                    "grade": grade,
                    "comment": entry.comment,
                    "written": entry.written,
                    "entered_by_user_id": user.pk,
                    "entered_at": now,
                },
            )
        if todo:
            audit_record(
                action=AuditAction.UPDATE,
                event=event,
                person_ids=sorted({e.pupil_id for e, _g in todo}),
                object_type="organisation.OrgUnit",
                object_id=group.pk,
                details={"period": period, "rows": len(todo)},
            )
    return len(todo)


def halfyear_publish(*, user: Actor, group_id: int | str) -> int:
    """Publish the group's assessments of this term to the guardians' portal. Return how many were published."""
    group, _info = _group(user=user, group_id=group_id, action="assessment.group.enter")
    period = selectors.current_period()
    with transaction.atomic():
        rows = HalfYearAssessment.objects.filter(group=group, period=period, published_at__isnull=True)
        pupil_ids = list(rows.values_list("pupil_id", flat=True))
        count = rows.update(published_at=clock.now())
        if count:
            audit_record(
                action=AuditAction.UPDATE,
                event="assessment.halfyear.publish",
                person_ids=pupil_ids,
                object_type="organisation.OrgUnit",
                object_id=group.pk,
                details={"period": period, "rows": count},
            )
    return count


def final_grade_save(*, user: Actor, group_id: int | str, grades: dict[int, str]) -> int:
    """Save 10th-graders' final grades (standpunkt) in a teaching group; refused after the principal's lock."""
    group, info = _group(user=user, group_id=group_id, action="assessment.group.enter")
    today = clock.today()
    event = "assessment.final.save"
    entered = {pid: text.strip() for pid, text in grades.items() if text.strip()}
    if selectors.group_lock(group_id=group.pk) is not None:
        _refuse(
            event=event,
            message=_("Standpunktkarakterene for gruppen er låst av rektor og kan ikke endres."),
            object_id=group.pk,
            person_ids=list(entered),
        )
    members = set(selectors.group_pupil_ids(group=group, day=today))
    levels = selectors.pupil_grade_levels(pupil_ids=list(entered), day=today)
    parsed: dict[int, int] = {}
    for pupil_id, text in entered.items():
        if pupil_id not in members:
            _refuse(event=event, message=_("Eleven er ikke med i gruppen."), object_id=group.pk, pupil=pupil_id)
        if levels.get(pupil_id) != selectors.FINAL_GRADE_LEVEL:
            _refuse(
                event=event,
                message=_("Standpunktkarakter settes bare for elever på 10. trinn."),
                object_id=group.pk,
                person_ids=[pupil_id],
            )
        grade = _parse_grade(text)
        if grade is None:
            _refuse(
                event=event,
                message=_("Karakteren må være et helt tall fra 1 til 6."),
                object_id=group.pk,
                person_ids=[pupil_id],
                value=text[:20],
            )
        parsed[pupil_id] = grade
    now = clock.now()
    with transaction.atomic():
        # Lock the group row so a lock taken meanwhile is seen (the principal locks under the same row lock).
        OrgUnit.objects.select_for_update().get(pk=group.pk)
        if FinalGradeLock.objects.filter(group=group).exists():
            raise ValidationError(_("Standpunktkarakterene for gruppen er låst av rektor og kan ikke endres."))
        for pupil_id, grade in parsed.items():
            FinalGrade.objects.update_or_create(
                pupil_id=pupil_id,
                group=group,
                defaults={
                    "school_id": info.school_id,
                    "subject_code": info.subject_code,
                    "subject_name": info.subject_name,
                    "grade": grade,
                    "entered_by_user_id": user.pk,
                    "entered_at": now,
                },
            )
        if parsed:
            audit_record(
                action=AuditAction.UPDATE,
                event=event,
                person_ids=sorted(parsed),
                object_type="organisation.OrgUnit",
                object_id=group.pk,
                details={"rows": len(parsed)},
            )
    return len(parsed)


def final_grades_lock(*, user: Actor, school_id: int | str, group_id: int | str) -> FinalGradeLock:
    """Lock a teaching group's final grades (the principal) and publish them; the appeal deadline starts now."""
    school = access_unit(user=user, id=school_id, action="assessment.final.lock")
    group = OrgUnit.objects.filter(pk=int(group_id) if str(group_id).isdecimal() else 0).first()
    info = selectors.teaching_group(group=group) if group is not None else None
    if group is None or info is None or info.school_id != school.pk:
        _refuse(
            event="assessment.final.lock",
            message=_("Gruppen finnes ikke ved denne skolen."),
            object_id=school.pk,
            group=str(group_id)[:20],
        )
    now = clock.now()
    with transaction.atomic():
        OrgUnit.objects.select_for_update().get(pk=group.pk)
        lock, created = FinalGradeLock.objects.get_or_create(
            group=group, defaults={"locked_at": now, "locked_by_user_id": user.pk}
        )
        if created:
            rows = FinalGrade.objects.filter(group=group, published_at__isnull=True)
            pupil_ids = list(rows.values_list("pupil_id", flat=True))
            rows.update(published_at=now)
            audit_record(
                action=AuditAction.UPDATE,
                event="assessment.final.lock",
                person_ids=pupil_ids,
                object_type="organisation.OrgUnit",
                object_id=group.pk,
                details={"published": len(pupil_ids)},
            )
    return lock


def appeal_register(*, user: Actor, final_grade_id: int | str, reason: str) -> Appeal:
    """Register a guardian's appeal (klage) against a published final grade, before the deadline (§ 10-2)."""
    grade = (
        FinalGrade.objects.filter(
            pk=int(final_grade_id) if str(final_grade_id).isdecimal() else 0, published_at__isnull=False
        )
        .select_related("pupil")
        .first()
    )
    guardian_id = principal_for(user).person_id
    if (
        grade is None
        or guardian_id is None
        or not has_action(user=user, action="assessment.appeal.register", target=grade.pupil)
    ):
        audit_record(
            action=AuditAction.DENIED,
            event="assessment.appeal.register.denied",
            person_ids=[grade.pupil_id] if grade else [],
            object_type="assessment.FinalGrade",
            object_id=str(final_grade_id)[:64],
        )
        raise AccessNotFound(_("Ikke funnet."))
    deadline = selectors.appeal_deadline(published_at=grade.published_at)
    reason = reason.strip()
    problem = ""
    if deadline is not None and clock.today() > deadline:
        problem = _("Klagefristen gikk ut %(date)s.") % {"date": deadline.strftime("%d.%m.%Y")}
    elif not reason:
        problem = _("Skriv hvorfor dere klager på karakteren.")
    elif Appeal.objects.filter(final_grade=grade, guardian_id=guardian_id).exists():
        problem = _("Du har allerede klaget på denne karakteren.")
    if problem:
        audit_record(
            action=AuditAction.DENIED,
            event="assessment.appeal.register.denied",
            person_ids=[grade.pupil_id],
            object_type="assessment.FinalGrade",
            object_id=grade.pk,
            details={"reason": problem},
        )
        raise ValidationError(problem, code="appeal_refused", fields={"begrunnelse": [problem]})
    with transaction.atomic():
        appeal = Appeal.objects.create(
            final_grade=grade,
            pupil_id=grade.pupil_id,
            guardian_id=guardian_id,
            reason=reason,
            registered_at=clock.now(),
        )
        audit_record(
            action=AuditAction.CREATE,
            event="assessment.appeal.register",
            person_ids=[grade.pupil_id, guardian_id],
            object_type="assessment.Appeal",
            object_id=appeal.pk,
        )
    return appeal


def remark_register(
    *, user: Actor, group_id: int | str, pupil_id: int | str, kind: str, text: str, day: dt.date | None = None
) -> Remark:
    """Register an anmerkning (§ 10-7) for a pupil from 8th grade in a group the user teaches."""
    group, info = _group(user=user, group_id=group_id, action="assessment.remark.register")
    today = clock.today()
    pid = int(pupil_id) if str(pupil_id).isdecimal() else 0
    event = "assessment.remark.register"
    text = text.strip()
    if pid not in selectors.group_pupil_ids(group=group, day=today):
        _refuse(event=event, message=_("Eleven er ikke med i gruppen."), object_id=group.pk, pupil=str(pupil_id)[:20])
    if (selectors.pupil_grade_levels(pupil_ids=[pid], day=today).get(pid) or 0) < selectors.GRADES_FROM:
        _refuse(
            event=event,
            message=_("Anmerkninger føres bare for elever fra 8. trinn."),
            object_id=group.pk,
            person_ids=[pid],
        )
    if kind not in RemarkKind.values:
        _refuse(event=event, message=_("Velg orden eller atferd."), object_id=group.pk, person_ids=[pid])
    if not text or len(text) > COMMENT_MAX:
        _refuse(
            event=event,
            message=_("Beskriv hva som skjedde (høyst 500 tegn)."),
            object_id=group.pk,
            person_ids=[pid],
        )
    with transaction.atomic():
        remark = Remark.objects.create(
            pupil_id=pid,
            school_id=info.school_id,
            group=group,
            kind=kind,
            text=text,
            day=day or today,
            registered_by_user_id=user.pk,
            registered_at=clock.now(),
        )
        audit_record(
            action=AuditAction.CREATE,
            event=event,
            person_ids=[pid],
            object_type="assessment.Remark",
            object_id=remark.pk,
        )
    return remark


def _conduct_marks_check(*, event: str, klass: OrgUnit, wanted: dict[int, tuple[str, str]], day: dt.date) -> list[int]:
    """Refuse a pupil outside the class or a mark outside G/Ng/Lg (proposal and decision alike); return the pupils."""
    placements = selectors.pupil_placements(pupil_ids=list(wanted), day=day)
    for pid, (orden, oppforsel) in wanted.items():
        placement = placements.get(pid)
        if placement is None or placement.group_id != klass.pk:
            _refuse(event=event, message=_("Eleven går ikke i klassen."), object_id=klass.pk, pupil=pid)
        if orden not in ConductGrade.values or oppforsel not in ConductGrade.values:
            _refuse(
                event=event,
                message=_("Velg G, Ng eller Lg i både orden og oppførsel."),
                object_id=klass.pk,
                person_ids=[pid],
            )
    return list(wanted)


def conduct_propose(*, user: Actor, class_id: int | str, marks: dict[int, tuple[str, str]]) -> int:
    """Propose orden og oppførsel (G/Ng/Lg) for pupils from 8th grade in the contact teacher's class."""
    klass = access_unit(user=user, id=class_id, action="assessment.conduct.propose")
    if klass.kind != OrgUnitKind.CLASS:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    period = selectors.current_period(day=today)
    event = "assessment.conduct.propose"
    wanted = {pid: (o, a) for pid, (o, a) in marks.items() if o or a}
    for pid in _conduct_marks_check(event=event, klass=klass, wanted=wanted, day=today):
        if (klass.grade or 0) < selectors.GRADES_FROM:
            _refuse(
                event=event,
                message=_("Karakter i orden og oppførsel gis bare fra 8. trinn."),
                object_id=klass.pk,
                person_ids=[pid],
            )
    decided = set(
        ConductMark.objects.filter(pupil_id__in=list(wanted), period=period, decided_at__isnull=False).values_list(
            "pupil_id", flat=True
        )
    )
    if decided:
        _refuse(
            event=event,
            message=_("Rektor har allerede fastsatt karakteren for eleven; forslaget kan ikke endres."),
            object_id=klass.pk,
            person_ids=sorted(decided),
        )
    now = clock.now()
    with transaction.atomic():
        for pid, (orden, oppforsel) in wanted.items():
            ConductMark.objects.update_or_create(
                pupil_id=pid,
                period=period,
                defaults={
                    "klass": klass,
                    "orden": orden,
                    "oppforsel": oppforsel,
                    "proposed_by_user_id": user.pk,
                    "proposed_at": now,
                },
            )
        if wanted:
            audit_record(
                action=AuditAction.UPDATE,
                event=event,
                person_ids=sorted(wanted),
                object_type="organisation.OrgUnit",
                object_id=klass.pk,
                details={"period": period, "rows": len(wanted)},
            )
    return len(wanted)


def _conduct_class(*, user: Actor, class_id: int | str) -> OrgUnit:
    klass = access_unit(user=user, id=class_id, action="assessment.conduct.decide")
    if klass.kind != OrgUnitKind.CLASS:
        raise AccessNotFound(_("Ikke funnet."))
    return klass


def conduct_decide(*, user: Actor, class_id: int | str, marks: dict[int, tuple[str, str]]) -> int:
    """The principal fixes orden og oppførsel (G/Ng/Lg) for pupils of the class, from the contact teacher's
    proposals (which may be changed); a decided mark is not yet shown to the guardians (``conduct_publish``)."""
    klass = _conduct_class(user=user, class_id=class_id)
    today = clock.today()
    period = selectors.current_period(day=today)
    event = "assessment.conduct.decide"
    wanted = {pid: (o, a) for pid, (o, a) in marks.items() if o or a}
    proposals = {c.pupil_id: c for c in ConductMark.objects.filter(pupil_id__in=list(wanted), period=period)}
    for pid in _conduct_marks_check(event=event, klass=klass, wanted=wanted, day=today):
        if pid not in proposals:
            _refuse(
                event=event,
                message=_("Kontaktlæreren har ikke foreslått karakter for eleven ennå."),
                object_id=klass.pk,
                person_ids=[pid],
            )
        if proposals[pid].published_at is not None:
            _refuse(
                event=event,
                message=_("Karakteren er allerede publisert for foresatte."),
                object_id=klass.pk,
                person_ids=[pid],
            )
    now = clock.now()
    with transaction.atomic():
        for pid, (orden, oppforsel) in wanted.items():
            ConductMark.objects.filter(pk=proposals[pid].pk).update(
                orden=orden, oppforsel=oppforsel, decided_at=now, decided_by_user_id=user.pk
            )
        if wanted:
            audit_record(
                action=AuditAction.UPDATE,
                event=event,
                person_ids=sorted(wanted),
                object_type="organisation.OrgUnit",
                object_id=klass.pk,
                details={
                    "period": period,
                    "rows": len(wanted),
                    "changed": sorted(
                        pid for pid, m in wanted.items() if m != (proposals[pid].orden, proposals[pid].oppforsel)
                    ),
                },
            )
    return len(wanted)


def conduct_publish(*, user: Actor, class_id: int | str) -> int:
    """Publish the class's decided marks of this term to the guardians' portal; return how many were published."""
    klass = _conduct_class(user=user, class_id=class_id)
    period = selectors.current_period()
    with transaction.atomic():
        rows = ConductMark.objects.filter(klass=klass, period=period, decided_at__isnull=False, published_at=None)
        pupil_ids = list(rows.values_list("pupil_id", flat=True))
        count = rows.update(published_at=clock.now())
        if count:
            audit_record(
                action=AuditAction.UPDATE,
                event="assessment.conduct.publish",
                person_ids=pupil_ids,
                object_type="organisation.OrgUnit",
                object_id=klass.pk,
                details={"period": period, "rows": count},
            )
    return count
