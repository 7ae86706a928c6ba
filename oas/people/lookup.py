"""Find a child by exact fødselsnummer or D-number within the municipality (sector office placement pages).

Every lookup is audit-logged: a hit names the child; a miss names no one and stores only a keyed hash (HMAC with
the installation's secret key) of the number — a plain hash of an 11-digit number can be reversed by trying them
all, the keyed one only by someone who holds the key (an investigator checking a suspected number).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from oas import clock
from oas.access.evaluation import has_action
from oas.access.privacy import PersonContact, PlacementView, child_placements_view, person_contact_view
from oas.audit.models import AuditAction
from oas.audit.services import audit_read, audit_record
from oas.errors import PermissionDenied, ValidationError
from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Person
from oas.people.national_id import InvalidNationalId, parse_national_id

if TYPE_CHECKING:
    from oas.access.principal import Actor


@dataclass(frozen=True)
class FoundChild:
    """What the sector office sees of a child it looked up: never a protected address."""

    person: Person
    contact: PersonContact
    placements: list[PlacementView]
    age: int | None

    @property
    def name(self) -> str:
        return self.person.full_name

    @property
    def birth_date(self) -> dt.date | None:
        return self.person.birth_date


def _keyed_hash(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def _age(birth: dt.date | None, day: dt.date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def child_lookup(*, user: Actor, action: str, national_id: str, event: str) -> FoundChild:
    """Return the child registered in one of the current municipalities with exactly this number.

    ``action`` is the placement action the lookup serves: without it anywhere, ``PermissionDenied`` (logged).
    Raises ``ValidationError`` (field ``national_id``) for a malformed number or no match; both are logged.
    """
    if not has_action(user=user, action=action):
        audit_record(action=AuditAction.DENIED, event=f"{event}.denied", details={"action": action})
        raise PermissionDenied(_("Du har ikke tilgang til å slå opp barn."))
    raw = (national_id or "").strip().replace(" ", "")
    try:
        value = parse_national_id(raw).value
    except InvalidNationalId as exc:
        raise ValidationError(exc.message, code="invalid_national_id", fields={"national_id": [exc.message]}) from None
    numbers = Municipality.objects.filter(valid_to__isnull=True).values("number")
    person = Person.objects.filter(national_id=value, municipality_number__in=numbers).first()
    if person is None:
        audit_record(
            action=AuditAction.READ,
            event=f"{event}.miss",
            object_type="people.Person",
            details={"national_id_hmac": _keyed_hash(value)},
        )
        message = _("Fant ikke noe barn med dette fødselsnummeret eller D-nummeret i kommunen.")
        raise ValidationError(message, code="not_found", fields={"national_id": [message]})
    audit_read(event=event, person_ids=[person.pk], object_type="people.Person", object_id=person.pk)
    return FoundChild(
        person=person,
        contact=person_contact_view(user=user, person=person),
        placements=child_placements_view(user=user, child=person),
        age=_age(person.birth_date, clock.today()),
    )


def child_in_unit_municipality_check(*, child: Person, unit: OrgUnit) -> None:
    """The sector office places only children registered (Folkeregisteret) in the municipality of the unit."""
    if child.municipality_number != unit.municipality.number:
        message = _("Barnet er ikke folkeregistrert i kommunen %(unit)s ligger i.") % {"unit": unit.name}
        raise ValidationError(message, code="other_municipality", fields={"unit": [message]})
