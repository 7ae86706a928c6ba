"""Siblings registered by hand (søsken registrert manuelt): for children the register cannot group.

Children with strengt fortrolig address have no residential address in Folkeregisteret, so the automatic
household grouping (``fees.public.households_group``) never finds their siblings; the finance office
registers the pair here, with its grounds. Every registration and ending is audited.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from invoicing.models import ManualSibling
from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, NotFound, ValidationError
from oas.people.models import Person
from oas.text import text_check


def _person(national_id: str, field: str) -> Person:
    value = (national_id or "").replace(" ", "")
    person = Person.objects.filter(national_id=value).first() if value.isdigit() and len(value) == 11 else None
    if person is None:
        message = _("Fant ingen person med fødselsnummeret.")
        raise ValidationError(message, fields={field: [message]})
    return person


def manual_sibling_register(
    *, first_national_id: str, second_national_id: str, valid_from: dt.date, reason: str, user_id: int | None
) -> ManualSibling:
    """Register two children as siblings in one household from ``valid_from`` (refused: same child, no reason,
    a pair already registered)."""
    reason = text_check(value=reason or "", field="reason", label=_("Grunnlaget")).strip()
    if not reason:
        message = _("Skriv grunnlaget for registreringen (for eksempel vedtak eller dokumentasjon fra familien).")
        raise ValidationError(message, fields={"reason": [message]})
    first = _person(first_national_id, "first")
    second = _person(second_national_id, "second")
    if first.pk == second.pk:
        message = _("Velg to forskjellige barn.")
        raise ValidationError(message, fields={"second": [message]})
    low, high = sorted((first, second), key=lambda p: p.pk)
    try:
        with transaction.atomic():
            link = ManualSibling(
                child=low,
                sibling=high,
                valid_from=valid_from,
                reason=reason[:500],
                registered_at=clock.now(),
                registered_by_user_id=user_id,
            )
            link.full_clean(validate_constraints=False)
            link.save()
            audit_record(
                action=AuditAction.CREATE,
                event="invoicing.manual_sibling.register",
                person_ids=[low.pk, high.pk],
                object_type="invoicing.ManualSibling",
                object_id=link.pk,
                details={"valid_from": valid_from.isoformat()},
                user_id=user_id,
            )
    except IntegrityError:
        raise Conflict(_("Barna er allerede registrert som søsken."), code="already_registered") from None
    return link


def manual_sibling_end(*, link_id: int, valid_to: dt.date, user_id: int | None) -> ManualSibling:
    """End a manual sibling registration on ``valid_to`` (not before it started)."""
    with transaction.atomic():
        link = ManualSibling.objects.select_for_update().filter(pk=link_id, valid_to__isnull=True).first()
        if link is None:
            raise NotFound(_("Fant ikke registreringen."))
        if valid_to < link.valid_from:
            message = _("Sluttdatoen kan ikke være før registreringen startet.")
            raise ValidationError(message, fields={"valid_to": [message]})
        link.valid_to = valid_to
        link.save(update_fields=["valid_to"])
        audit_record(
            action=AuditAction.UPDATE,
            event="invoicing.manual_sibling.end",
            person_ids=[link.child_id, link.sibling_id],
            object_type="invoicing.ManualSibling",
            object_id=link.pk,
            details={"valid_to": valid_to.isoformat()},
            user_id=user_id,
        )
    return link


def manual_siblings_current(*, on: dt.date) -> QuerySet[ManualSibling]:
    """The registrations in force on ``on`` or later (for the office page)."""
    return (
        ManualSibling.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("child", "sibling")
        .order_by("-registered_at")
    )
