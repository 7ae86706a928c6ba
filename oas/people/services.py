"""Writes to the people kernel. Folkeregisteret is the source for persons and relations.

The register sync (integrations/freg) maps FREG documents into the dataclasses below and calls these
services in batches; each batch writes one audit row naming every person it changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oas import clock
from oas.access.getters import access_child
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import (
    Adressebeskyttelse,
    DeltBosted,
    Person,
    PersonRelation,
    PersonStatus,
    Placement,
    RelationKind,
    RelationSource,
)
from oas.people.national_id import InvalidNationalId, parse_national_id
from oas.periods import DATED, active_on, current_or_future

if TYPE_CHECKING:
    from oas.access.principal import Actor

BATCH_SIZE = 1000

ADDRESS_FIELDS = (
    "street_address",
    "unit_number",
    "postal_code",
    "postal_place",
    "municipality_number",
    "grunnkrets",
    "skolekrets",
    "address_id",
)
REGISTER_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "birth_date",
    "sex",
    "status",
    "date_of_death",
    "adressebeskyttelse",
    "postal_address",
    *ADDRESS_FIELDS,
)


@dataclass(frozen=True)
class RegisterAddress:
    """A residential address as the register gives it (bostedsadresse or delt bosted)."""

    street_address: str = ""
    unit_number: str = ""
    postal_code: str = ""
    postal_place: str = ""
    municipality_number: str = ""
    grunnkrets: int | None = None
    skolekrets: int | None = None
    address_id: str = ""


@dataclass(frozen=True)
class RegisterDeltBosted:
    address: RegisterAddress
    valid_from: dt.date
    valid_to: dt.date | None = None


@dataclass(frozen=True)
class RegisterPersonData:
    """One person as Folkeregisteret currently has them (only the fields OAS keeps)."""

    national_id: str
    first_name: str
    last_name: str
    middle_name: str = ""
    birth_date: dt.date | None = None
    sex: str = ""
    status: str = "bosatt"
    date_of_death: dt.date | None = None
    adressebeskyttelse: str = Adressebeskyttelse.UGRADERT
    address: RegisterAddress | None = None
    postal_address: str = ""
    delt_bosted: tuple[RegisterDeltBosted, ...] = ()


@dataclass(frozen=True)
class RegisterRelation:
    """An adult's relation to a child from the child's register document."""

    adult_national_id: str
    kind: str  # RelationKind.GUARDIAN or RelationKind.PARENT
    foreldreansvar: str = ""
    parent_role: str = ""


@dataclass
class PersonSyncResult:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    # person id → {field: (before, after)} for updated persons
    changes: dict[int, dict[str, tuple[object, object]]] = field(default_factory=dict)
    ids_by_national_id: dict[str, int] = field(default_factory=dict)


def _register_values(data: RegisterPersonData) -> dict[str, object]:
    address = data.address or RegisterAddress()
    if data.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG:
        # Strengt fortrolig: FREG never gives the residential address and we must never hold one.
        address = RegisterAddress()
    return {
        "first_name": data.first_name[:100],
        "middle_name": data.middle_name[:100],
        "last_name": data.last_name[:100],
        "birth_date": data.birth_date,
        "sex": data.sex,
        "status": data.status,
        "date_of_death": data.date_of_death,
        "adressebeskyttelse": data.adressebeskyttelse,
        "postal_address": data.postal_address,
        "street_address": address.street_address[:200],
        "unit_number": address.unit_number[:5],
        "postal_code": address.postal_code[:4],
        "postal_place": address.postal_place[:100],
        "municipality_number": address.municipality_number[:4],
        "grunnkrets": address.grunnkrets,
        "skolekrets": address.skolekrets,
        "address_id": address.address_id[:40],
    }


def _update_register_fields(persons: Sequence[Person]) -> None:
    """Write the register fields of changed persons with one prepared UPDATE run as a batch (executemany).

    Django's ``bulk_update`` builds a CASE expression per field and row, which dominated the feed sync's
    time; a parameterised statement per row in psycopg's pipeline is an order of magnitude faster.
    """
    if not persons:
        return
    columns = [*REGISTER_FIELDS, "freg_synced_at", "updated_at"]
    fields = [Person._meta.get_field(name) for name in columns]
    assignments = ", ".join(f'"{f.column}" = %s' for f in fields)  # type: ignore[union-attr]
    sql = f'UPDATE "{Person._meta.db_table}" SET {assignments} WHERE "id" = %s'  # noqa: S608 - our own columns
    params = [
        [f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] + [p.pk]  # type: ignore[union-attr]
        for p in persons
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


@transaction.atomic
def persons_sync_from_register(*, persons: Sequence[RegisterPersonData]) -> PersonSyncResult:
    """Create or update persons from register data in bulk; one audit row for the batch's changes."""
    result = PersonSyncResult()
    now = clock.now()
    valid: dict[str, RegisterPersonData] = {}
    for data in persons:
        try:
            parse_national_id(data.national_id)
        except InvalidNationalId:
            result.invalid.append(data.national_id)
            continue
        valid[data.national_id] = data  # a later document for the same person wins
    existing = {p.national_id: p for p in Person.objects.filter(national_id__in=list(valid))}
    to_create: list[Person] = []
    to_update: list[Person] = []
    changed_fields: set[str] = set()
    for national_id, data in valid.items():
        values = _register_values(data)
        person = existing.get(national_id)
        if person is None:
            to_create.append(Person(national_id=national_id, freg_synced_at=now, **values))
            continue
        diff = {
            name: (getattr(person, name), value) for name, value in values.items() if getattr(person, name) != value
        }
        if diff:
            for name, (_, value) in diff.items():
                setattr(person, name, value)
            person.freg_synced_at = now
            person.updated_at = now
            to_update.append(person)
            changed_fields.update(diff)
            result.changes[person.pk] = diff
        else:
            result.unchanged.append(person.pk)
    # Bulk paths skip full_clean on purpose: the values come from the register mapping, national ids are
    # validated above, and the database constraints (e.g. no address for strengt fortrolig) still hold.
    Person.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    _update_register_fields(to_update)
    result.created = [p.pk for p in to_create]
    result.updated = [p.pk for p in to_update]
    result.ids_by_national_id = {p.national_id: p.pk for p in [*existing.values(), *to_create] if p.national_id}
    _sync_delt_bosted(valid=valid, ids=result.ids_by_national_id, touched={*result.created, *result.updated})
    # Whether an adult lives with a child follows every register change of address, protection or status.
    moved = [pk for pk, diff in result.changes.items() if diff.keys() & LIVES_WITH_FIELDS]
    if moved:
        relations_lives_with_recompute(child_ids=_children_of_persons(person_ids=moved, on=clock.today()))
    touched = result.created + result.updated
    if touched:
        audit_record(
            action="update",
            event="person.register_sync",
            person_ids=touched,
            object_type="person",
            details={
                "created": len(result.created),
                "updated": len(result.updated),
                "fields": sorted(changed_fields),
                "source": "freg",
            },
        )
    return result


def _sync_delt_bosted(*, valid: Mapping[str, RegisterPersonData], ids: Mapping[str, int], touched: set[int]) -> None:
    """Replace the delt bosted rows of persons whose register data says something else than we hold."""
    candidates = {ids[n]: d for n, d in valid.items() if n in ids and (d.delt_bosted or ids[n] in touched)}
    if not candidates:
        return
    current: dict[int, set[tuple[object, ...]]] = {}
    for row in DeltBosted.objects.filter(child_id__in=list(candidates)).values_list(
        "child_id",
        "street_address",
        "unit_number",
        "postal_code",
        "postal_place",
        "address_id",
        "valid_from",
        "valid_to",
    ):
        current.setdefault(row[0], set()).add(row[1:])
    replace: list[int] = []
    new_rows: list[DeltBosted] = []
    for child_id, data in candidates.items():
        wanted = {
            (
                d.address.street_address[:200],
                d.address.unit_number[:5],
                d.address.postal_code[:4],
                d.address.postal_place[:100],
                d.address.address_id[:40],
                d.valid_from,
                d.valid_to,
            )
            for d in data.delt_bosted
            if data.adressebeskyttelse != Adressebeskyttelse.STRENGT_FORTROLIG
        }
        if wanted == current.get(child_id, set()):
            continue
        replace.append(child_id)
        new_rows.extend(
            DeltBosted(
                child_id=child_id,
                street_address=w[0],
                unit_number=w[1],
                postal_code=w[2],
                postal_place=w[3],
                address_id=w[4],
                valid_from=w[5],
                valid_to=w[6],
            )
            for w in wanted
        )
    if replace:
        DeltBosted.objects.filter(child_id__in=replace).delete()
        DeltBosted.objects.bulk_create(new_rows, batch_size=BATCH_SIZE)


@dataclass
class _RelationPlan:
    to_end: list[PersonRelation] = field(default_factory=list)
    to_delete: list[int] = field(default_factory=list)
    to_create: list[PersonRelation] = field(default_factory=list)
    guardians_changed: bool = False


def _plan_child_relations(
    *,
    child_id: int,
    birth_date: dt.date | None,
    wanted: set[tuple[int, str, str, str]],
    have: dict[tuple[int, str, str, str], PersonRelation],
    today: dt.date,
) -> _RelationPlan:
    """End what the register no longer says, add what is new; a first load starts at the birth date."""
    plan = _RelationPlan()
    for key, relation in have.items():
        if key in wanted:
            continue
        if relation.valid_from >= today:
            plan.to_delete.append(relation.pk)
        else:
            relation.valid_to = today - dt.timedelta(days=1)
            plan.to_end.append(relation)
    start = (birth_date or today) if not have else today
    for adult_id, kind, foreldreansvar, parent_role in wanted - have.keys():
        plan.to_create.append(
            PersonRelation(
                adult_id=adult_id,
                child_id=child_id,
                kind=kind,
                foreldreansvar=foreldreansvar,
                parent_role=parent_role,
                lives_with_child=False,  # set from the register by relations_lives_with_recompute below
                source=RelationSource.FREG,
                valid_from=min(start, today),
            )
        )
    guardians_before = {(k[0], k[2]) for k in have if k[1] == RelationKind.GUARDIAN}
    guardians_after = {(k[0], k[2]) for k in wanted if k[1] == RelationKind.GUARDIAN}
    plan.guardians_changed = guardians_before != guardians_after
    return plan


@dataclass
class RelationSyncResult:
    created: int = 0
    ended: int = 0
    # children whose set of guardians (with foreldreansvar) changed — not counting their first load
    foreldreansvar_changed: set[int] = field(default_factory=set)
    missing_adults: set[str] = field(default_factory=set)


@transaction.atomic
def relations_sync_from_register(
    *, relations_by_child: Mapping[int, Sequence[RegisterRelation]], today: dt.date | None = None
) -> RelationSyncResult:
    """Make the children's current register relations match ``relations_by_child``; end the rest."""
    result = RelationSyncResult()
    if not relations_by_child:
        return result
    today = today or clock.today()
    adult_nids = {r.adult_national_id for rels in relations_by_child.values() for r in rels}
    adults = dict(Person.objects.filter(national_id__in=adult_nids).values_list("national_id", "id"))
    result.missing_adults = adult_nids - set(adults)
    children = dict(Person.objects.filter(id__in=list(relations_by_child)).values_list("id", "birth_date"))
    current = PersonRelation.objects.filter(
        current_or_future(today),
        child_id__in=list(relations_by_child),
        source=RelationSource.FREG,
    )
    existing: dict[int, dict[tuple[int, str, str, str], PersonRelation]] = {}
    for relation in current:
        key = (relation.adult_id, relation.kind, relation.foreldreansvar, relation.parent_role)
        existing.setdefault(relation.child_id, {})[key] = relation
    to_end: list[PersonRelation] = []
    to_delete: list[int] = []
    to_create: list[PersonRelation] = []
    changed_children: set[int] = set()
    for child_id, relations in relations_by_child.items():
        if child_id not in children:
            continue
        wanted: dict[tuple[int, str, str, str], RegisterRelation] = {}
        for r in relations:
            adult_id = adults.get(r.adult_national_id)
            if adult_id is not None and adult_id != child_id:
                foreldreansvar = r.foreldreansvar if r.kind == RelationKind.GUARDIAN else ""
                wanted[(adult_id, r.kind, foreldreansvar, r.parent_role)] = r
        have = existing.get(child_id, {})
        plan = _plan_child_relations(
            child_id=child_id,
            birth_date=children[child_id],
            wanted=set(wanted),
            have=have,
            today=today,
        )
        to_end.extend(plan.to_end)
        to_delete.extend(plan.to_delete)
        to_create.extend(plan.to_create)
        if plan.guardians_changed:
            changed_children.add(child_id)
            if have:  # not the child's first load
                result.foreldreansvar_changed.add(child_id)
    if to_delete:
        PersonRelation.objects.filter(id__in=to_delete).delete()
    if to_end:
        PersonRelation.objects.bulk_update(to_end, fields=["valid_to"], batch_size=BATCH_SIZE)
    PersonRelation.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    result.created = len(to_create)
    result.ended = len(to_end) + len(to_delete)
    if to_create or to_end or to_delete:
        touched = {r.child_id for r in to_create} | {r.child_id for r in to_end} | changed_children
        touched |= {r.adult_id for r in to_create} | {r.adult_id for r in to_end}
        audit_record(
            action="update",
            event="person.register_sync",
            person_ids=touched,
            object_type="person_relation",
            details={"created": result.created, "ended": result.ended, "source": "freg"},
        )
    # Custody changes (and a first load) decide who lives with the child as much as addresses do.
    relations_lives_with_recompute(child_ids=children, today=today)
    return result


# --- lives with the child --------------------------------------------------------------------------
LIVES_WITH_FIELDS = frozenset({*ADDRESS_FIELDS, "adressebeskyttelse", "status"})
_HOME_FIELDS = ("adressebeskyttelse", "status", "address_id", "street_address", "unit_number", "postal_code")


@dataclass(frozen=True)
class _Home:
    adressebeskyttelse: str
    status: str
    address_id: str
    street_address: str
    unit_number: str
    postal_code: str

    def same_as(self, other: _Home) -> bool:
        """Same bostedsadresse: the matrikkel address id when both have one, else street, unit and postcode."""
        if self.address_id and other.address_id:
            return self.address_id == other.address_id
        if not (self.street_address and other.street_address):
            return False
        return (self.street_address.casefold().strip(), self.unit_number, self.postal_code) == (
            other.street_address.casefold().strip(),
            other.unit_number,
            other.postal_code,
        )


def _current(today: dt.date) -> Q:
    return current_or_future(today)


def _children_of_persons(*, person_ids: Iterable[int], on: dt.date) -> set[int]:
    """The persons themselves (as children) and the children they are related to as adults."""
    ids = set(person_ids)
    as_adult = PersonRelation.objects.filter(_current(on), adult_id__in=ids).values_list("child_id", flat=True)
    return ids | set(as_adult)


def _lives_with_from_register(*, child: _Home, adult: _Home | None) -> bool:
    if adult is None or PersonStatus.DOED in (adult.status, child.status):
        return False
    return child.same_as(adult)


@transaction.atomic
def relations_lives_with_recompute(*, child_ids: Iterable[int], today: dt.date | None = None) -> int:
    """Set "lives with the child" on the children's current and future relations from the register.

    From the addresses for register relations; for a strengt fortrolig child (no address in the register)
    False for every adult unless the office has confirmed (deny by default). A confirmation is dropped when the
    child is no longer strengt fortrolig. Manual relations of other children keep their flag. Returns how many
    relations changed; one audit row names the children and adults.
    """
    ids = set(child_ids)
    if not ids:
        return 0
    today = today or clock.today()
    relations = list(
        PersonRelation.objects.select_for_update(of=("self",)).filter(_current(today), child_id__in=ids).order_by("pk")
    )
    if not relations:
        return 0
    person_ids = {r.child_id for r in relations} | {r.adult_id for r in relations}
    homes = {
        row[0]: _Home(*row[1:]) for row in Person.objects.filter(id__in=person_ids).values_list("id", *_HOME_FIELDS)
    }
    changed: list[PersonRelation] = []
    for relation in relations:
        child = homes[relation.child_id]
        before = (relation.lives_with_child, relation.lives_with_child_confirmed_at)
        if child.adressebeskyttelse == Adressebeskyttelse.STRENGT_FORTROLIG:
            if relation.lives_with_child_confirmed_at is None:
                relation.lives_with_child = False
        else:
            relation.lives_with_child_confirmed_at = None
            relation.lives_with_child_confirmed_by_id = None
            if relation.source == RelationSource.FREG:
                relation.lives_with_child = _lives_with_from_register(child=child, adult=homes.get(relation.adult_id))
        if (relation.lives_with_child, relation.lives_with_child_confirmed_at) != before:
            changed.append(relation)
    if changed:
        PersonRelation.objects.bulk_update(
            changed,
            fields=["lives_with_child", "lives_with_child_confirmed_at", "lives_with_child_confirmed_by"],
            batch_size=BATCH_SIZE,
        )
        audit_record(
            action="update",
            event="person.lives_with_child_recompute",
            person_ids={r.child_id for r in changed} | {r.adult_id for r in changed},
            object_type="person_relation",
            details={"changed": len(changed), "source": "freg"},
        )
    return len(changed)


def child_lives_with_confirm(*, user: Actor, child_id: int | str, adult_ids: Collection[int]) -> list[PersonRelation]:
    """Record, for a strengt fortrolig child, which related adults the child lives with (the office's word).

    Every other adult related to the child is recorded as not living with the child. Audited. 404 (and an audit
    row) unless the user may ``person.confirm_lives_with`` the child.
    """
    # Authorised before the transaction, so the audit row of a refusal is not rolled back with it.
    child = access_child(user=user, id=child_id, action="person.confirm_lives_with", audit_event="")
    with transaction.atomic():
        return _lives_with_record(child=child, adult_ids=adult_ids, user_id=user.pk)


def _lives_with_record(*, child: Person, adult_ids: Collection[int], user_id: int | None) -> list[PersonRelation]:
    child = Person.objects.select_for_update().get(pk=child.pk)
    if child.adressebeskyttelse != Adressebeskyttelse.STRENGT_FORTROLIG:
        raise ValidationError(
            _("Bare for barn med strengt fortrolig adresse bekrefter kontoret hvem barnet bor hos."),
            code="not_strengt_fortrolig",
        )
    today = clock.today()
    relations = list(PersonRelation.objects.select_for_update().filter(_current(today), child=child).order_by("pk"))
    related = {r.adult_id for r in relations}
    living = set(adult_ids)
    if not living <= related:
        raise ValidationError(
            _("Bare voksne med en gjeldende relasjon til barnet kan velges."),
            code="unknown_adult",
            fields={"adults": [_("Velg blant barnets voksne.")]},
        )
    now = clock.now()
    for relation in relations:
        relation.lives_with_child = relation.adult_id in living
        relation.lives_with_child_confirmed_at = now
        relation.lives_with_child_confirmed_by_id = user_id
    PersonRelation.objects.bulk_update(
        relations, fields=["lives_with_child", "lives_with_child_confirmed_at", "lives_with_child_confirmed_by"]
    )
    audit_record(
        action="update",
        event="person.lives_with_child_confirm",
        person_ids=[child.pk, *sorted(related)],
        object_type="person",
        object_id=child.pk,
        details={"lives_with": sorted(living), "not_lives_with": sorted(related - living)},
        user_id=user_id,
    )
    return relations


@transaction.atomic
def placement_change(
    *,
    child: Person,
    service: str,
    unit: OrgUnit,
    start_date: dt.date,
    group: OrgUnit | None = None,
    end_date: dt.date | None = None,
    event: str,
    details: Mapping[str, object] | None = None,
    overlap_message: str | None = None,
    user_id: int | None,
) -> Placement:
    """Place a child in ``service`` from ``start_date``: an open placement that started earlier ends the day before.

    The one write path for a change of place (an accepted offer, a leader's placement change); the domain app adds
    its details to the returned placement in the same transaction. A placement starting on or after
    ``start_date`` is an overlap and is refused with ``overlap_message`` (the database's exclusion constraint).
    """
    if end_date is not None and end_date < start_date:
        raise ValidationError(
            _("Sluttdato kan ikke være før startdato."),
            fields={"end_date": [_("Sluttdato kan ikke være før startdato.")]},
        )
    try:
        with transaction.atomic():
            previous = (
                Placement.objects.select_for_update()
                .filter(active_on(start_date, fields=DATED), child=child, service=service, start_date__lt=start_date)
                .first()
            )
            if previous is not None:
                previous.end_date = start_date - dt.timedelta(days=1)
                previous.save(update_fields=["end_date"])
            placement = Placement.objects.create(
                child=child, service=service, unit=unit, group=group, start_date=start_date, end_date=end_date
            )
    except IntegrityError as exc:
        if "placement_no_overlap" not in str(exc):
            raise
        raise ValidationError(
            overlap_message or _("Barnet har allerede en plass i denne perioden."),
            code="overlap",
            fields={"start_date": [_("Overlapper med en annen plass.")]},
        ) from None
    audit_record(
        action=AuditAction.CREATE,
        event=event,
        person_ids=[child.pk],
        object_type="people.Placement",
        object_id=placement.pk,
        user_id=user_id,
        details={**(details or {}), "previous": previous.pk if previous else None},
    )
    return placement
