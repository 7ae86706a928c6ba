"""Enrolment and movement: skoleinnskriving, a wish for another school, moving between schools during the year.

Skoleinnskriving (opplæringslova § 2-1, nærskole § 2-6 in the 2023 act): every child resident in the municipality who
turns six in the calendar year the school year starts is assigned to the school of their skolekrets (the register's
address gives the krets; a school carries its krets number). The guardians get a letter through SvarUt (an outbox
row per enrolment, written in the run's transaction). A guardian's wish for another school is an application; the
office's decision is an enkeltvedtak, sent the same way. Children without a skolekrets (strengt fortrolig addresses
carry none) are left for the office to assign by hand; they are listed, never guessed.

Writes: ``enrolment_run``, ``enrolment_wish``, ``enrolment_wish_decide``, ``enrolment_consent``, ``pupil_move``,
``pupil_move_done``. Reads: ``enrolment_candidates``, ``enrolments_for_user``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.public import notify
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import access_object
from oas.access.principal import Actor
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind, Ownership, SchoolType
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school import selectors
from school.models import Enrolment, EnrolmentStatus, GroupMembership, MoveSource, PupilMove, SchoolYear
from school.services import school_year_ensure

logger = logging.getLogger(__name__)

ENROLMENT_LETTER_KIND = "school.enrolment_letter"
START_AGE = 6


@dataclass(frozen=True)
class EnrolmentCandidates:
    school_year_start: int
    assigned: list[tuple[Person, OrgUnit]]
    without_school: list[Person]
    already: int


def _first_grade_schools(municipality: Municipality, day: dt.date) -> dict[int, OrgUnit]:
    schools = OrgUnit.objects.filter(
        active_on(day),
        municipality=municipality,
        kind=OrgUnitKind.SCHOOL,
        ownership=Ownership.MUNICIPAL,
        first_grade=1,
        skolekrets__isnull=False,
    ).exclude(school_type=SchoolType.SPECIAL)
    return {s.skolekrets: s for s in schools.order_by("-code") if s.skolekrets is not None}


def enrolment_candidates(*, municipality: Municipality, start_year: int) -> EnrolmentCandidates:
    """Return who the skoleinnskriving for August ``start_year`` would assign where (reads only: the preview)."""
    born = start_year - START_AGE
    day = dt.date(start_year, 8, 1)
    schools = _first_grade_schools(municipality, day)
    children = list(
        Person.objects.filter(
            birth_date__year=born, municipality_number=municipality.number, date_of_death__isnull=True
        ).order_by("last_name", "first_name")
    )
    enrolled = set(
        Enrolment.objects.filter(
            school_year__municipality=municipality, school_year__start_date__year=start_year
        ).values_list("child_id", flat=True)
    )
    assigned: list[tuple[Person, OrgUnit]] = []
    without: list[Person] = []
    for child in children:
        if child.pk in enrolled:
            continue
        school = schools.get(child.skolekrets) if child.skolekrets is not None else None
        if school is None:
            without.append(child)
        else:
            assigned.append((child, school))
    return EnrolmentCandidates(
        school_year_start=start_year, assigned=assigned, without_school=without, already=len(enrolled)
    )


def enrolment_run(*, user: Any, municipality: Municipality, start_year: int) -> int:
    """Enrol every candidate at their nærskole and queue the letters (one transaction); return the new enrolments.

    Running it again enrols only children who were not enrolled before (new in the municipality).
    """
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
        year = school_year_ensure(municipality=municipality, start_year=start_year)
        found = enrolment_candidates(municipality=municipality, start_year=start_year)
        now = clock.now()
        rows = Enrolment.objects.bulk_create(
            [
                Enrolment(child=child, school_year=year, school=school, created_at=now)
                for child, school in found.assigned
            ]
        )
        for enrolment in rows:
            outbox_enqueue(
                kind=ENROLMENT_LETTER_KIND,
                payload={"enrolment_id": enrolment.pk, "kind": "assigned"},
                idempotency_key=f"school-innskriving:{enrolment.pk}",
            )
        audit_record(
            action=AuditAction.CREATE,
            event="school.enrolment.run",
            person_ids=[e.child_id for e in rows],
            object_type="school.SchoolYear",
            object_id=year.pk,
            details={"enrolled": len(rows), "without_school": len(found.without_school)},
        )
    return len(rows)


def enrolments_for_user(*, user: Any) -> QuerySet[Enrolment]:
    """Return the enrolments the user may read (guardians: their children's)."""
    return access_queryset(
        user=user,
        action="school.enrolment.read",
        queryset=Enrolment.objects.select_related("child", "school", "wished_school", "school_year"),
    ).order_by("-school_year__start_date", "child__first_name")


def _refuse(*, event: str, message: str, person_ids: list[int], **details: Any) -> None:
    audit_record(
        action=AuditAction.DENIED,
        event=event,
        person_ids=person_ids,
        object_type="school.Enrolment",
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="enrolment_refused")


def enrolment_wish(*, user: Any, enrolment_id: int | str, school_id: int | str, reason: str) -> Enrolment:
    """A guardian's wish for another school than the nærskole (an application the office decides).

    Refused (nothing written, audit-logged): an enrolment the user may not act on (404), a school that is not a
    municipal school with 1st grade, the school already assigned, a missing reason, a wish already being decided.
    """
    enrolment = access_object(
        user=user,
        queryset=Enrolment.objects.select_related("school", "school_year"),
        id=enrolment_id,
        action="school.enrolment.wish",
    )
    event, who = "school.enrolment.wish.denied", [enrolment.child_id]
    wanted = _first_grade_schools(enrolment.school_year.municipality, enrolment.school_year.start_date)
    school = next((s for s in wanted.values() if str(s.pk) == str(school_id)), None)
    reason = (reason or "").strip()
    if enrolment.status == EnrolmentStatus.WISH_PENDING:
        _refuse(event=event, person_ids=who, message=_("Et ønske om annen skole er allerede til behandling."))
    if school is None:
        _refuse(event=event, person_ids=who, message=_("Velg en av kommunens skoler med 1. trinn."))
    assert school is not None
    if school.pk == enrolment.school_id:
        _refuse(event=event, person_ids=who, message=_("Barnet har allerede plass ved denne skolen."))
    if not reason or len(reason) > 2000:
        _refuse(event=event, person_ids=who, message=_("Skriv en begrunnelse for ønsket (høyst 2000 tegn)."))
    with transaction.atomic():
        enrolment.status = EnrolmentStatus.WISH_PENDING
        enrolment.wished_school = school
        enrolment.wish_reason = reason
        enrolment.wished_by_id = getattr(getattr(user, "account", None), "person_id", None)
        enrolment.save(update_fields=["status", "wished_school", "wish_reason", "wished_by"])
        audit_record(
            action=AuditAction.UPDATE,
            event="school.enrolment.wish",
            person_ids=who,
            object_type="school.Enrolment",
            object_id=enrolment.pk,
            details={"school": school.pk},
        )
    return enrolment


def enrolment_wish_decide(*, user: Any, enrolment_id: int | str, grant: bool, note: str = "") -> Enrolment:
    """Grant or refuse a wish for another school (the office); the enkeltvedtak goes out through the outbox."""
    from integrations.public import outbox_enqueue

    enrolment = access_object(
        user=user,
        queryset=Enrolment.objects.select_related("school", "wished_school"),
        id=enrolment_id,
        action="school.enrolment.manage",
    )
    note = (note or "").strip()[:2000]
    who = [enrolment.child_id]
    if enrolment.status != EnrolmentStatus.WISH_PENDING:
        _refuse(event="school.enrolment.decide.denied", person_ids=who, message=_("Det er ikke noe ønske å avgjøre."))
    if not grant and not note:
        _refuse(event="school.enrolment.decide.denied", person_ids=who, message=_("Skriv en begrunnelse for avslaget."))
    with transaction.atomic():
        if grant:
            assert enrolment.wished_school is not None
            enrolment.school = enrolment.wished_school
        enrolment.status = EnrolmentStatus.WISH_GRANTED if grant else EnrolmentStatus.WISH_REFUSED
        enrolment.decided_at = clock.now()
        enrolment.decided_by_user_id = getattr(user, "pk", None)
        enrolment.decision_note = note
        enrolment.save(update_fields=["school", "status", "decided_at", "decided_by_user_id", "decision_note"])
        outbox_enqueue(
            kind=ENROLMENT_LETTER_KIND,
            payload={"enrolment_id": enrolment.pk, "kind": "decision"},
            idempotency_key=f"school-innskriving-vedtak:{enrolment.pk}",
        )
        audit_record(
            action=AuditAction.UPDATE,
            event="school.enrolment.decide",
            person_ids=who,
            object_type="school.Enrolment",
            object_id=enrolment.pk,
            details={"status": enrolment.status, "school": enrolment.school_id},
        )
    return enrolment


def enrolment_consent(*, user: Any, enrolment_id: int | str, consent: bool) -> Enrolment:
    """Record the guardian's answer on the kindergarten sharing information with the school (overgang)."""
    enrolment = access_object(
        user=user, queryset=Enrolment.objects.all(), id=enrolment_id, action="school.enrolment.wish"
    )
    with transaction.atomic():
        enrolment.transition_consent = bool(consent)
        enrolment.consent_by_id = getattr(getattr(user, "account", None), "person_id", None)
        enrolment.consent_at = clock.now()
        enrolment.save(update_fields=["transition_consent", "consent_by", "consent_at"])
        audit_record(
            action=AuditAction.UPDATE,
            event="school.enrolment.consent",
            person_ids=[enrolment.child_id],
            object_type="school.Enrolment",
            object_id=enrolment.pk,
            details={"consent": bool(consent)},
        )
    return enrolment


def enrolment_letters_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``ENROLMENT_LETTER_KIND``): the enrolment letter or the decision to the guardians."""
    from integrations.public import PermanentError

    enrolment_id = delivery.payload.get("enrolment_id")
    if not isinstance(enrolment_id, int):
        raise PermanentError(f"{ENROLMENT_LETTER_KIND}: payload uten enrolment_id: {delivery.payload!r}")
    return {"letters": enrolment_letter_send(enrolment_id=enrolment_id, kind=str(delivery.payload.get("kind")))}


def enrolment_letter_send(*, enrolment_id: int, kind: str) -> int:
    """Send one enrolment's letter ("assigned") or decision ("decision") to the guardians; idempotent per key."""
    from integrations.public import letter_send

    enrolment = Enrolment.objects.select_related("child", "school", "school_year").filter(pk=enrolment_id).first()
    if enrolment is None:
        return 0
    values = {
        "child": enrolment.child.full_name,
        "school": enrolment.school.name,
        "start": enrolment.school_year.start_date.strftime("%d.%m.%Y"),
    }
    if kind == "decision":
        title = _("Vedtak om skoleplass – %(child)s") % values
        paragraphs = [
            _("%(child)s får plass ved %(school)s fra skolestart %(start)s.") % values
            if enrolment.status == EnrolmentStatus.WISH_GRANTED
            else _("Ønsket om annen skole for %(child)s er avslått. Barnet har plass ved nærskolen %(school)s.")
            % values
        ]
        if enrolment.decision_note:
            paragraphs.append(_("Begrunnelse: %(note)s") % {"note": enrolment.decision_note})
        template = "letters/vedtak.html"
    else:
        title = _("Skoleinnskriving – %(child)s") % values
        paragraphs = [
            _("%(child)s begynner i 1. klasse ved %(school)s (nærskolen) ved skolestart %(start)s.") % values,
            _("Ønsker dere en annen skole, kan dere søke om det i foreldreportalen under Skole › Skolestart."),
        ]
        template = "letters/melding.html"
    sent = 0
    for guardian_id in selectors.pupil_guardian_ids(pupil_ids=[enrolment.child_id], day=clock.today()).get(
        enrolment.child_id, []
    ):
        try:
            with transaction.atomic():
                letter_send(
                    recipient_person_id=guardian_id,
                    title=title,
                    template=template,
                    context={"paragraphs": paragraphs},
                    case_ref=f"INNSKRIVING-{enrolment.pk}",
                    idempotency_key=f"school-innskriving:{kind}:{enrolment.pk}:{guardian_id}"[:100],
                )
            sent += 1
        except ValidationError as exc:
            logger.warning("school: enrolment letter %s not sent to %s: %s", enrolment.pk, guardian_id, exc)
    return sent


def pupil_move(*, user: Any, pupil_id: int | str, to_school_id: int | str, day: dt.date | str) -> PupilMove:
    """Move a pupil to another school of the municipality from ``day``; the record (history) follows the pupil.

    The old school placement ends the day before; the new one starts without a class (the new school's task is to
    place the pupil in one; the old school's is to close the pupil's matters). Refused (nothing written,
    audit-logged): a pupil the user may not move (404), a date that is not a date, the same school, a school
    outside the municipality, or a pupil without a school placement that day.
    """
    pupil = access_object(user=user, queryset=Person.objects.all(), id=pupil_id, action="school.pupil.move")
    event, who = "school.pupil.move.denied", [pupil.pk]
    try:
        when = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day))
    except ValueError:
        _refuse(event=event, person_ids=who, message=_("Skriv inn en gyldig dato."))
        raise
    placement = (
        Placement.objects.filter(active_on(when, fields=DATED), child=pupil, service=Service.SCHOOL)
        .select_related("unit")
        .first()
    )
    if placement is None:
        _refuse(event=event, person_ids=who, message=_("Eleven har ingen skoleplass den dagen."))
    assert placement is not None
    target = OrgUnit.objects.filter(
        active_on(when),
        kind=OrgUnitKind.SCHOOL,
        municipality_id=placement.unit.municipality_id,
        pk=int(to_school_id) if str(to_school_id).isdecimal() else 0,
    ).first()
    if target is None or target.pk == placement.unit_id:
        _refuse(event=event, person_ids=who, message=_("Velg en annen skole i kommunen."))
    assert target is not None
    if when <= placement.start_date:
        _refuse(event=event, person_ids=who, message=_("Flyttedatoen må være etter at eleven begynte på skolen."))
    with transaction.atomic():
        end = placement.end_date
        placement.end_date = when - dt.timedelta(days=1)
        placement.save(update_fields=["end_date"])
        Placement.objects.create(
            child=pupil, service=Service.SCHOOL, unit=target, group=None, start_date=when, end_date=end
        )
        # The old school's teaching groups end with the placement (their teachers no longer reach the pupil).
        GroupMembership.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=when),
            pupil=pupil,
            group__path__startswith=placement.unit.path,
            valid_from__lt=when,
        ).update(valid_to=when - dt.timedelta(days=1))
        move = PupilMove.objects.create(
            pupil=pupil,
            from_school=placement.unit,
            to_school=target,
            day=when,
            created_at=clock.now(),
            created_by_user_id=getattr(user, "pk", None),
        )
        notify(
            person_ids=selectors.pupil_guardian_ids(pupil_ids=[pupil.pk], day=when).get(pupil.pk, []),
            key=f"school.move.{move.pk}",
            title=_("%(child)s bytter skole til %(school)s fra %(day)s.")
            % {"child": pupil.first_name, "school": target.name, "day": when.strftime("%d.%m.%Y")},
            url=reverse("school:portal_school"),
            unit_id=target.pk,
        )
        audit_record(
            action=AuditAction.UPDATE,
            event="school.pupil.move",
            person_ids=who,
            object_type="school.PupilMove",
            object_id=move.pk,
            details={"from": placement.unit_id, "to": target.pk, "day": when.isoformat()},
        )
    return move


def pupil_move_done(*, user: Actor, move_id: int | str, school_id: int | str) -> PupilMove:
    """Mark one school's task for a move as done (the old school closes, the new school places in a class).

    A move found in Folkeregisteret's feed also changes the placement here: the old school's part ends the school
    placement (and the pupil's teaching groups there), the new school's part enrols the pupil.
    """
    from school.moves import register_move_complete

    school = access_object(
        user=user, queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL), id=school_id, action="school.overview.read"
    )
    move = PupilMove.objects.filter(pk=int(move_id) if str(move_id).isdecimal() else 0).first()
    if move is None or school.pk not in (move.from_school_id, move.to_school_id):
        raise ValidationError(_("Flyttingen finnes ikke ved denne skolen."), code="move_not_found")
    field = "from_done_at" if school.pk == move.from_school_id else "to_done_at"
    if getattr(move, field) is not None:
        return move
    with transaction.atomic():
        if move.source == MoveSource.REGISTER:
            register_move_complete(move=move, school=school)
        setattr(move, field, clock.now())
        move.save(update_fields=[field])
        audit_record(
            action=AuditAction.UPDATE,
            event="school.pupil.move.done",
            person_ids=[move.pupil_id],
            object_type="school.PupilMove",
            object_id=move.pk,
            details={"school": school.pk, "part": field, "source": move.source},
        )
    return move


def school_year_of_start(*, municipality: Municipality, start_year: int) -> SchoolYear | None:
    """Return the school year starting in ``start_year``, if created."""
    return SchoolYear.objects.filter(municipality=municipality, start_date__year=start_year).first()
