"""Development talks (utviklingssamtale, opplæringsforskrifta § 9-6) with notes.

The talk is booked through the calendar's parent-meeting slots (``messaging``: the contact teacher creates a
bookable meeting for the class, a guardian books a time for the child). Here the contact teacher (and the principal)
see the class's booked talks and write the notes of each talk; the notes are kept per booked slot, visible to them
only (not to the guardians), and every read and write is audit-logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

from django.db import transaction
from django.utils.translation import gettext as _

from assessment.models import DevelopmentTalk
from messaging.public import BookedMeetingSlot, booked_meeting_slots
from oas import clock
from oas.access.getters import AccessNotFound, access_unit
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on

if TYPE_CHECKING:
    from oas.access.principal import Actor

NOTES_MAX = 5000
LOOK_BACK_DAYS = 365


@dataclass(frozen=True)
class TalkRow:
    slot: BookedMeetingSlot
    pupil: Person
    talk: DevelopmentTalk | None


def _class(*, user: Actor, class_id: int | str) -> OrgUnit:
    klass = access_unit(user=user, id=class_id, action="assessment.talk.notes")
    if klass.kind != OrgUnitKind.CLASS:
        raise AccessNotFound(_("Ikke funnet."))
    return klass


def _pupils(klass: OrgUnit) -> dict[int, Person]:
    ids = Placement.objects.filter(active_on(clock.today(), fields=DATED), service=Service.SCHOOL, group=klass).values(
        "child_id"
    )
    return {p.pk: p for p in Person.objects.filter(pk__in=ids)}


def class_talks(*, user: Actor, class_id: int | str) -> tuple[OrgUnit, list[TalkRow]]:
    """Return the class and its pupils' booked talks (the last year and ahead) with any notes."""
    klass = _class(user=user, class_id=class_id)
    pupils = _pupils(klass)
    since = clock.now() - dt.timedelta(days=LOOK_BACK_DAYS)
    slots = booked_meeting_slots(child_ids=list(pupils), since=since)
    talks = {t.slot_id: t for t in DevelopmentTalk.objects.filter(slot_id__in=[s.slot_id for s in slots])}
    rows = [TalkRow(slot=s, pupil=pupils[s.child_id], talk=talks.get(s.slot_id)) for s in slots]
    audit_record(
        action=AuditAction.READ,
        event="assessment.talk.read",
        person_ids=sorted({r.pupil.pk for r in rows}),
        object_type="organisation.OrgUnit",
        object_id=klass.pk,
    )
    return klass, rows


def _refuse(*, klass: OrgUnit, message: str, person_ids: list[int]) -> NoReturn:
    audit_record(
        action=AuditAction.DENIED,
        event="assessment.talk.notes.denied",
        person_ids=person_ids,
        object_type="organisation.OrgUnit",
        object_id=klass.pk,
        details={"reason": message},
    )
    raise ValidationError(message, code="talk_refused")


def talk_notes_save(*, user: Actor, class_id: int | str, slot_id: int | str, notes: str) -> DevelopmentTalk:
    """Write the notes of a booked development talk of a pupil of the class."""
    klass = _class(user=user, class_id=class_id)
    pupils = _pupils(klass)
    sid = int(slot_id) if str(slot_id).isdecimal() else 0
    since = clock.now() - dt.timedelta(days=LOOK_BACK_DAYS)
    slot = next((s for s in booked_meeting_slots(child_ids=list(pupils), since=since) if s.slot_id == sid), None)
    notes = (notes or "").strip()
    if slot is None:
        _refuse(klass=klass, message=_("Fant ingen bestilt samtale for en elev i klassen."), person_ids=[])
    if not notes or len(notes) > NOTES_MAX:
        _refuse(klass=klass, message=_("Skriv et referat (høyst 5000 tegn)."), person_ids=[slot.child_id])
    with transaction.atomic():
        talk, created = DevelopmentTalk.objects.update_or_create(
            slot_id=slot.slot_id,
            defaults={
                "pupil_id": slot.child_id,
                "klass": klass,
                "starts_at": slot.starts_at,
                "notes": notes,
                "written_by_user_id": user.pk,
                "updated_at": clock.now(),
            },
        )
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            event="assessment.talk.notes",
            person_ids=[slot.child_id],
            object_type="assessment.DevelopmentTalk",
            object_id=talk.pk,
        )
    return talk
