"""Moving out of the municipality: the old school sends the pupil record (elevmappen) to the new municipality.

A pupil the register moves to another municipality gives the old school a task (``school.moves``); one of its steps is
"send elevmappen": a PDF summary of what the new school needs and the law lets go with the pupil — who the pupil is,
the guardians (names; an address only where it is not protected), the class, this school year's absence, the
published assessments and any decision on individually adapted education (§ 11-7) — sent through SvarUt to the new
municipality's organisasjonsnummer and archived as an outgoing journalpost (U) on the pupil's case.

The receiver is the municipality of the register's address (``Person.municipality_number``) looked up in
``MunicipalityReceiver``; an unknown municipality is a clear refusal. Marking the step done and the outbox row are one
transaction; the step is done once (a second press changes nothing). For a pupil with a protected address
(fortrolig, strengt fortrolig) neither the address nor the new municipality is shown to anyone without
``person.read_protected_address`` for the pupil: not on the office page, not in refusals, not in the audit details.
Strengt fortrolig pupils have no address in the register, so the new municipality is unknown: the office is told to
route the record by hand.

Writes: ``pupil_record_transfer``, ``record_transfer_deliver`` (outbox). Reads: ``record_transfer_views``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_object
from oas.access.privacy import address_is_protected, may_see_protected_address
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import PROTECTED_LEVELS, Adressebeskyttelse, Person, Placement, Service
from school import selectors
from school.absence import certificate_absence
from school.models import (
    AdaptedDecisionSubject,
    AdaptedEducationDecision,
    MoveSource,
    MunicipalityReceiver,
    PupilMove,
    SchoolYear,
)

if TYPE_CHECKING:
    from oas.access.principal import Actor

logger = logging.getLogger(__name__)

RECORD_TRANSFER_KIND = "school.record_transfer"
CASE_TYPE = "school.elevmappe"
ACTION = "school.pupil.record_transfer"


def _key(move_id: int) -> str:
    return f"school-elevmappe:{move_id}"


def _is_protected(pupil: Person) -> bool:
    return pupil.adressebeskyttelse in PROTECTED_LEVELS


def _refuse(*, message: str, pupil_id: int | None, school_id: int, move_id: int | str) -> None:
    """Audit the refusal (outside any transaction, so it is kept) and raise the error; never names the receiver."""
    audit_record(
        action=AuditAction.DENIED,
        event="school.pupil.record_transfer.denied",
        person_ids=[pupil_id] if pupil_id else [],
        object_type="school.PupilMove",
        object_id=str(move_id)[:20],
        details={"reason": message, "school": school_id},
    )
    raise ValidationError(message, code="record_transfer_refused")


def _receiver_problem(*, pupil: Person, school: OrgUnit, may_see: bool) -> tuple[str, MunicipalityReceiver | None]:
    """The receiving municipality, or why there is none (the message names it only to who may see it)."""
    number = pupil.municipality_number
    if pupil.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG or not number:
        return _(
            "Folkeregisteret oppgir ingen ny kommune for eleven, så elevmappen kan ikke sendes herfra. "
            "Avtal oversendelsen med den nye skolen når den tar kontakt."
        ), None
    if number == school.municipality.number:
        return _("Eleven bor fortsatt i kommunen: elevmappen følger eleven til den nye skolen her."), None
    receiver = MunicipalityReceiver.objects.filter(number=number).first()
    if receiver is None:
        if may_see:
            return _(
                "Kommunen eleven flytter til (%(number)s) mangler organisasjonsnummer i OAS. "
                "Be en administrator legge den inn under «Mottakende kommuner (elevmappe)»."
            ) % {"number": number}, None
        return _(
            "Kommunen eleven flytter til mangler organisasjonsnummer i OAS (eleven har beskyttet adresse, så "
            "kommunen vises ikke her). Be en administrator med tilgang legge den inn."
        ), None
    return "", receiver


def pupil_record_transfer(*, user: Actor, school_id: int | str, move_id: int | str) -> PupilMove:
    """The old school's step "send elevmappen" for a pupil moving out of the municipality (done once).

    Marks the step done and queues the sending (SvarUt to the new municipality, archive journalpost U) in one
    transaction. Refused (nothing written, audit-logged): a school the user may not act for (404), a move that is not
    this school's move out of the municipality, a new municipality that is unknown or has no organisasjonsnummer.
    """
    school = access_object(
        user=user,
        queryset=OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL).select_related("municipality"),
        id=school_id,
        action=ACTION,
    )
    move = (
        PupilMove.objects.select_related("pupil")
        .filter(pk=int(move_id) if str(move_id).isdecimal() else 0, from_school=school)
        .first()
    )
    if move is None:
        _refuse(
            message=_("Flyttingen finnes ikke ved denne skolen."), pupil_id=None, school_id=school.pk, move_id=move_id
        )
    assert move is not None
    if move.record_sent_at is not None:
        return move  # the step is done: a second press sends nothing
    if move.source != MoveSource.REGISTER or move.to_school_id is not None:
        _refuse(
            message=_("Eleven flytter ikke ut av kommunen: elevmappen følger eleven til den nye skolen her."),
            pupil_id=move.pupil_id,
            school_id=school.pk,
            move_id=move.pk,
        )
    pupil = move.pupil
    may_see = not _is_protected(pupil) or may_see_protected_address(user=user, person=pupil)
    problem, receiver = _receiver_problem(pupil=pupil, school=school, may_see=may_see)
    if receiver is None:
        _refuse(message=problem, pupil_id=pupil.pk, school_id=school.pk, move_id=move.pk)
    assert receiver is not None
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        locked = PupilMove.objects.select_for_update().get(pk=move.pk)
        if locked.record_sent_at is not None:
            return locked  # another press got here first
        locked.record_sent_at = clock.now()
        locked.record_sent_by_user_id = getattr(user, "pk", None)
        locked.record_receiver_orgnr = receiver.organisation_number
        locked.save(update_fields=["record_sent_at", "record_sent_by_user_id", "record_receiver_orgnr"])
        outbox_enqueue(kind=RECORD_TRANSFER_KIND, payload={"move_id": locked.pk}, idempotency_key=_key(locked.pk))
        audit_record(
            action=AuditAction.EXPORT,
            event="school.pupil.record_transfer",
            person_ids=[pupil.pk],
            object_type="school.PupilMove",
            object_id=locked.pk,
            # Not the receiver: the new municipality of a protected pupil must not reach the log's readers.
            details={"school": school.pk},
        )
    return locked


@dataclass(frozen=True)
class RecordTransferView:
    """What the office page shows of a move out of the municipality's "send elevmappen" step."""

    move_id: int
    may_send: bool
    sent_at: dt.datetime | None
    receiver_name: str  # "" when hidden (protected address) or not sent
    receiver_hidden: bool


def record_transfer_views(*, user: Actor, school: OrgUnit, moves: list[PupilMove]) -> dict[int, RecordTransferView]:
    """Return the step's state for each move out of the municipality (the caller authorised the school)."""
    from oas.access.evaluation import has_action

    out = [m for m in moves if m.source == MoveSource.REGISTER and m.to_school_id is None]
    if not out:
        return {}
    may_send = has_action(user=user, action=ACTION, target=school)
    names = dict(
        MunicipalityReceiver.objects.filter(
            organisation_number__in=[m.record_receiver_orgnr for m in out if m.record_receiver_orgnr]
        ).values_list("organisation_number", "name")
    )
    views: dict[int, RecordTransferView] = {}
    for move in out:
        hidden = _is_protected(move.pupil) and not may_see_protected_address(user=user, person=move.pupil)
        views[move.pk] = RecordTransferView(
            move_id=move.pk,
            may_send=may_send and move.record_sent_at is None,
            sent_at=move.record_sent_at,
            receiver_name="" if hidden else names.get(move.record_receiver_orgnr, move.record_receiver_orgnr),
            receiver_hidden=hidden,
        )
    return views


# --- the record and its delivery (outbox) --------------------------------------------------------------------------


def _leaving_placement(move: PupilMove) -> Placement | None:
    return (
        Placement.objects.filter(child_id=move.pupil_id, service=Service.SCHOOL, unit_id=move.from_school_id)
        .filter(start_date__lt=max(move.day, move.created_at.date()) + dt.timedelta(days=1))
        .select_related("group")
        .order_by("-start_date")
        .first()
    )


def _guardians(pupil_id: int, day: dt.date) -> list[dict[str, Any]]:
    ids = selectors.pupil_guardian_ids(pupil_ids=[pupil_id], day=day).get(pupil_id, [])
    rows = []
    for person in Person.objects.filter(pk__in=ids).order_by("last_name", "first_name"):
        protected = address_is_protected(person=person)
        rows.append(
            {
                "name": person.full_name,
                # A protected address (or the home of a protected child) never leaves: the register has it.
                "address": ""
                if protected
                else ", ".join(
                    p
                    for p in (person.street_address, f"{person.postal_code} {person.postal_place}".strip())
                    if p.strip()
                ),
                "phone": "" if person.adressebeskyttelse in PROTECTED_LEVELS else person.phone,
                "protected": protected,
            }
        )
    return rows


def _decisions(pupil_id: int) -> list[dict[str, Any]]:
    decisions = list(AdaptedEducationDecision.objects.filter(pupil_id=pupil_id).order_by("-start_date"))
    subjects: dict[int, list[str]] = {}
    for row in AdaptedDecisionSubject.objects.filter(decision__in=decisions).select_related("subject"):
        subjects.setdefault(row.decision_id, []).append(row.subject.name)
    return [
        {
            "start": d.start_date,
            "end": d.end_date,
            "hours_per_year": d.hours_per_year,
            "hours_per_week": d.hours_per_week,
            "organisation": d.get_organisation_display(),
            "subjects": sorted(subjects.get(d.pk, [])),
            "decided": d.decided_at.date(),
        }
        for d in decisions
    ]


def pupil_record_context(*, move: PupilMove) -> dict[str, Any]:
    """The pupil record's content: only what goes with a pupil to a new school (no remarks, no notes, no addresses
    that are protected, nothing about where the pupil moves)."""
    from assessment.public import pupil_assessments_published

    pupil = move.pupil
    school = move.from_school
    assert school is not None
    day = min(move.day, clock.today())
    placement = _leaving_placement(move)
    klass = placement.group if placement else None
    year = (
        SchoolYear.objects.filter(municipality_id=school.municipality_id, start_date__lte=day)
        .order_by("-start_date")
        .first()
    )
    absence = (
        certificate_absence(pupil_id=pupil.pk, school_year=year, grade=klass.grade if klass else None) if year else None
    )
    return {
        "pupil": {"name": pupil.full_name, "national_id": pupil.national_id, "birth_date": pupil.birth_date},
        "school": school.name,
        "klass": klass.name if klass else "",
        "grade": klass.grade if klass else None,
        "since": placement.start_date if placement else None,
        "moving_day": move.day,
        "guardians": _guardians(pupil.pk, day),
        "school_year": year.name if year else "",
        "absence": absence,
        "assessments": pupil_assessments_published(pupil_id=pupil.pk),
        "decisions": _decisions(pupil.pk),
    }


def record_transfer_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``RECORD_TRANSFER_KIND``): the record to the new municipality (SvarUt) and to the archive (U).

    Each part has its own idempotency key, so a redelivery after a crash completes what is missing and sends nothing
    twice.
    """
    from integrations.public import PermanentError, archive_document, letter_pdf_get, letter_send_to_organisation

    move_id = delivery.payload.get("move_id")
    if not isinstance(move_id, int):
        raise PermanentError(f"{RECORD_TRANSFER_KIND}: payload uten move_id: {delivery.payload!r}")
    move = PupilMove.objects.select_related("pupil", "from_school").filter(pk=move_id).first()
    if move is None or move.record_sent_at is None or not move.record_receiver_orgnr:
        return {"skipped": "move vanished or not sent"}
    receiver = MunicipalityReceiver.objects.filter(organisation_number=move.record_receiver_orgnr).first()
    title = _("Elevmappe – %(name)s") % {"name": move.pupil.full_name}
    with transaction.atomic():
        letter_id = letter_send_to_organisation(
            organisation_number=move.record_receiver_orgnr,
            organisation_name=receiver.name if receiver else move.record_receiver_orgnr,
            concerns_person_id=move.pupil_id,
            title=title,
            template="letters/elevmappe.html",
            context=pupil_record_context(move=move),
            case_ref=f"ELEVMAPPE-{move.pk}",
            idempotency_key=_key(move.pk),
        )
        archive_id = archive_document(
            child_person_id=move.pupil_id,
            case_type=CASE_TYPE,
            case_id=move.pk,
            case_title=_("Elevmappe"),
            journalposttype="U",
            title=_("Elevmappe oversendt ny kommune"),
            pdf=letter_pdf_get(letter_id=letter_id),
            document_date=move.record_sent_at.date(),
            idempotency_key=_key(move.pk),
            filename="elevmappe.pdf",
        )
    return {"letter_id": letter_id, "archive_record_id": archive_id}
