"""Changing and ending an enkeltvedtak on individually adapted education (opplæringslova § 11-7).

A change of hours, organisation or subjects is a new enkeltvedtak: ``adapted_decision_replace`` makes a decision
that replaces the current one from a date (the old one ends the day before and is kept, marked replaced), with its
own letter to the guardians through SvarUt and the archive, like the original. ``adapted_decision_end`` ends a
decision early with a date and a reason, and sends the guardians a letter about it (archived on the same case).

Only the principal (``school.iop.manage``) changes or ends a decision; others get 404 (not yours) or 403 (no such
role anywhere). Bad input is refused with every problem found, audit-logged, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.public import notify
from oas import clock
from oas.access.getters import access_object
from oas.access.models import AccessGrant
from oas.access.principal import Actor
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.people.models import Person
from oas.periods import DATED, overlapping
from school import selectors
from school.adapted_education import (
    CASE_TYPE,
    DECISION_LETTER_KIND,
    GRANT_REASON,
    IOP_ARCHIVE_KIND,
    MANAGE,
    READ,
    _case_title,
    _date,
    _decimal,
    _grant_subject_teachers,
    _int,
    _period_and_hours_errors,
    _refuse,
    _subject_pairs,
    _writer_name,
    pupil_guardians,
)
from school.models import (
    AdaptedDecisionStatus,
    AdaptedDecisionSubject,
    AdaptedEducationDecision,
    IndividualEducationPlan,
)

DECISION_END_LETTER_KIND = "school.adapted_decision_end"
TEXT_MAX = 4000


def adapted_decision_for_managing(*, user: Actor, decision_id: int | str) -> AdaptedEducationDecision:
    """Return the decision if the user may decide for its pupil (the principal), else 404 (audit-logged)."""
    return access_object(
        user=user,
        queryset=AdaptedEducationDecision.objects.select_related("pupil", "school", "assessment", "replaces"),
        id=decision_id,
        action=MANAGE,
        audit_event="school.iop.decision.read",
        person_ids_of=lambda d: [d.pupil_id],
    )


def _not_active_message() -> str:
    return _("Vedtaket er allerede erstattet eller avsluttet, og kan ikke endres.")


@dataclass(frozen=True)
class _ReplacementInput:
    first: dt.date
    last: dt.date
    per_year: int
    per_week: decimal.Decimal
    organisation: str
    pairs: list[tuple[int, int | None]]
    consenter: int
    consented: dt.date
    reasons: str


def _replacement_validate(*, old: AdaptedEducationDecision, raw: dict[str, Any]) -> _ReplacementInput:
    today = clock.today()
    errors: dict[str, list[str]] = {}
    if old.status != AdaptedDecisionStatus.ACTIVE:
        errors["vedtak"] = [_not_active_message()]
    _period_and_hours_errors(raw, errors)
    first = _date(raw["start_date"])
    if first is not None and "fra" not in errors:
        if first < today:
            errors["fra"] = [_("Endringen kan ikke gjelde fra en dato som har passert.")]
        elif not old.start_date < first <= old.end_date:
            errors["fra"] = [
                _("Endringen må gjelde fra en dato etter %(first)s og senest %(last)s (i det gjeldende vedtaket).")
                % {"first": old.start_date.strftime("%d.%m.%Y"), "last": old.end_date.strftime("%d.%m.%Y")}
            ]
    pairs = _subject_pairs(raw["subject_teachers"], old.school, errors)
    consenter = _int(raw["consent_by_id"])
    if consenter is None or consenter not in {g.pk for g in pupil_guardians(pupil_id=old.pupil_id, day=today)}:
        errors["samtykke"] = [_("Registrer samtykket fra en av elevens foresatte (§ 11-7).")]
    consented = _date(raw["consent_date"])
    if consented is None or consented > today:
        errors["samtykke_dato"] = [_("Skriv inn datoen samtykket ble gitt (ikke frem i tid).")]
    reasons = (raw["reasons"] or "").strip()
    if not reasons or len(reasons) > TEXT_MAX:
        errors["begrunnelse"] = [_("Skriv en begrunnelse for endringen (høyst 4000 tegn).")]
    if errors:
        _refuse(event="school.iop.decision.change.denied", pupil_id=old.pupil_id, fields=errors, decision=old.pk)
    last, per_year, per_week = _date(raw["end_date"]), _int(raw["hours_per_year"]), _decimal(raw["hours_per_week"])
    assert first is not None and last is not None and per_year is not None and per_week is not None
    assert consenter is not None and consented is not None
    return _ReplacementInput(
        first=first,
        last=last,
        per_year=per_year,
        per_week=per_week,
        organisation=raw["organisation"],
        pairs=pairs,
        consenter=consenter,
        consented=consented,
        reasons=reasons,
    )


class _Refused(Exception):
    """Leave the transaction without writing; the refusal is audit-logged after the rollback."""


def _grants_follow(
    *, decision: AdaptedEducationDecision, old_end: dt.date, until: dt.date, kept: dict[int, dt.date] | None = None
) -> int:
    """Move the subject teachers' grants of ``decision`` (valid to ``old_end``) with its new end ``until``.

    A teacher the replacing decision names again (``kept``: employee id → its end) keeps the grant to that end (one
    grant per teacher and pupil: the guardian permission behind it is unique); the others' grants end with this one.
    """
    kept = kept or {}
    teacher_ids = [t for t in decision.subjects.values_list("teacher_id", flat=True) if t is not None]
    grants = AccessGrant.objects.filter(
        action=READ,
        person_id=decision.pupil_id,
        valid_to=old_end,
        reason=GRANT_REASON,
        user__account__employee_id__in=teacher_ids,
    ).select_related("user__account")
    moved = 0
    for grant in grants:
        employee_id = grant.user.account.employee_id
        grant.valid_to = kept.get(employee_id) or max(grant.valid_from, until)  # type: ignore[arg-type]
        grant.save(update_fields=["valid_to"])
        audit_record(
            action=AuditAction.UPDATE,
            event="access.grant_follow_decision",
            person_ids=[decision.pupil_id],
            object_type="access.AccessGrant",
            object_id=grant.pk,
            details={"valid_to": grant.valid_to.isoformat(), "decision": decision.pk},
        )
        moved += 1
    return moved


def adapted_decision_replace(
    *,
    user: Actor,
    decision_id: int | str,
    start_date: dt.date | str | None,
    end_date: dt.date | str | None,
    hours_per_year: int | str | None,
    hours_per_week: decimal.Decimal | str | None,
    organisation: str,
    subject_teachers: list[tuple[Any, Any]],
    consent_by_id: int | str | None,
    consent_date: dt.date | str | None,
    reasons: str,
) -> AdaptedEducationDecision:
    """Change a decision (§ 11-7): a new enkeltvedtak from ``start_date`` replaces it; the old one is kept, replaced.

    The new decision builds on the same expert assessment; its letter goes to the guardians through SvarUt and the
    archive (outbox), its subject teachers get read access, and the IOPs of subjects it still covers are carried
    over (and archived on the new decision). Refused (nothing written, audit-logged): a decision already replaced
    or ended, a start not after the old decision's start or outside it or in the past, bad hours, organisation,
    subjects or teachers, missing consent or reasons, and a period that overlaps another decision of the pupil.
    """
    old = adapted_decision_for_managing(user=user, decision_id=decision_id)
    raw = {
        "start_date": start_date,
        "end_date": end_date,
        "hours_per_year": hours_per_year,
        "hours_per_week": hours_per_week,
        "organisation": organisation,
        "subject_teachers": subject_teachers,
        "consent_by_id": consent_by_id,
        "consent_date": consent_date,
        "reasons": reasons,
    }
    data = _replacement_validate(old=old, raw=raw)
    try:
        return _replacement_write(user=user, old=old, data=data)
    except _Refused as exc:
        problem = str(exc)
    except IntegrityError as exc:
        if "adapteddecision_no_overlap" not in str(exc):
            raise
        problem = _("Eleven har allerede et vedtak om individuelt tilrettelagt opplæring i perioden.")
    _refuse(event="school.iop.decision.change.denied", pupil_id=old.pupil_id, fields={"fra": [problem]})
    raise AssertionError  # unreachable: _refuse raises


def _replacement_write(
    *, user: Actor, old: AdaptedEducationDecision, data: _ReplacementInput
) -> AdaptedEducationDecision:
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=old.pupil_id).first()
        current = AdaptedEducationDecision.objects.select_for_update().get(pk=old.pk)
        if current.status != AdaptedDecisionStatus.ACTIVE:
            raise _Refused(_not_active_message())
        old_end = current.end_date
        current.decided_end_date = current.decided_end_date or old_end
        current.end_date = data.first - dt.timedelta(days=1)
        current.status = AdaptedDecisionStatus.REPLACED
        current.save(update_fields=["decided_end_date", "end_date", "status"])
        other = (
            AdaptedEducationDecision.objects.filter(
                overlapping(data.first, data.last, fields=DATED), pupil_id=old.pupil_id
            )
            .exclude(pk=current.pk)
            .first()
        )
        if other is not None:
            raise _Refused(
                _("Den nye perioden overlapper et annet vedtak (%(first)s–%(last)s).")
                % {"first": other.start_date.strftime("%d.%m.%Y"), "last": other.end_date.strftime("%d.%m.%Y")}
            )
        new = AdaptedEducationDecision(
            pupil_id=old.pupil_id,
            school=old.school,
            assessment=old.assessment,
            start_date=data.first,
            end_date=data.last,
            hours_per_year=data.per_year,
            hours_per_week=data.per_week,
            organisation=data.organisation,
            consent_by_id=data.consenter,
            consent_date=data.consented,
            reasons=data.reasons,
            decided_at=clock.now(),
            decided_by_user_id=user.pk,
            replaces=current,
        )
        new.save()
        AdaptedDecisionSubject.objects.bulk_create(
            [AdaptedDecisionSubject(decision=new, subject_id=s, teacher_id=t) for s, t in data.pairs]
        )
        teacher_ids = _teacher_ids(data)
        _grants_follow(
            decision=current, old_end=old_end, until=current.end_date, kept=dict.fromkeys(teacher_ids, new.end_date)
        )
        _grant_subject_teachers(decision=new, teacher_ids=teacher_ids, granted_by=_writer_name(user))
        carried = _plans_carry_over(old=current, new=new, subject_ids=[s for s, _t in data.pairs])
        for plan in carried:
            outbox_enqueue(
                kind=IOP_ARCHIVE_KIND,
                payload={"plan_id": plan.pk, "version": plan.version},
                idempotency_key=f"school-iop-plan:{plan.pk}:{plan.version}",
            )
        outbox_enqueue(
            kind=DECISION_LETTER_KIND, payload={"decision_id": new.pk}, idempotency_key=f"school-iop-vedtak:{new.pk}"
        )
        _notify_guardians(decision=new, title=_("Endret vedtak om individuelt tilrettelagt opplæring for %(child)s"))
        audit_record(
            action=AuditAction.CREATE,
            event="school.iop.decision.replace",
            person_ids=[old.pupil_id],
            object_type="school.AdaptedEducationDecision",
            object_id=new.pk,
            details={
                "replaces": current.pk,
                "from": data.first.isoformat(),
                "to": data.last.isoformat(),
                "hours_per_year": data.per_year,
                "organisation": data.organisation,
                "subjects": [s for s, _t in data.pairs],
                "plans_carried_over": len(carried),
            },
        )
    return new


def _teacher_ids(data: _ReplacementInput) -> list[int]:
    """Return the employees the replacing decision names as subject teachers."""
    return sorted({t for _s, t in data.pairs if t is not None})


def _plans_carry_over(
    *, old: AdaptedEducationDecision, new: AdaptedEducationDecision, subject_ids: list[int]
) -> list[IndividualEducationPlan]:
    """Copy the IOPs of subjects the new decision still covers, as its first version (the educator revises them)."""
    now = clock.now()
    copies = [
        IndividualEducationPlan(
            decision=new,
            subject_id=plan.subject_id,
            goals=plan.goals,
            content=plan.content,
            organisation=plan.organisation,
            version=1,
            written_by_user_id=plan.written_by_user_id,
            written_by_name=plan.written_by_name,
            updated_at=now,
        )
        for plan in IndividualEducationPlan.objects.filter(decision=old, subject_id__in=subject_ids)
    ]
    return IndividualEducationPlan.objects.bulk_create(copies)


def _notify_guardians(*, decision: AdaptedEducationDecision, title: str) -> None:
    pupil = decision.pupil
    guardian_ids = selectors.pupil_guardian_ids(pupil_ids=[pupil.pk], day=clock.today()).get(pupil.pk, [])
    notify(
        person_ids=guardian_ids,
        key=f"school.iop.decision.{decision.pk}.{decision.status}",
        title=title % {"child": pupil.first_name},
        url=reverse("school:portal_school"),
        unit_id=decision.school_id,
    )


def adapted_decision_end(
    *, user: Actor, decision_id: int | str, end_date: dt.date | str | None, reason: str
) -> AdaptedEducationDecision:
    """End a decision early (§ 11-7): the last day and the reason; a letter to the guardians (SvarUt, archived).

    Refused (nothing written, audit-logged): a decision already replaced or ended, a last day in the past, before
    the decision's start or not before its current end, and a missing or too long reason.
    """
    decision = adapted_decision_for_managing(user=user, decision_id=decision_id)
    today = clock.today()
    errors: dict[str, list[str]] = {}
    if decision.status != AdaptedDecisionStatus.ACTIVE:
        errors["vedtak"] = [_not_active_message()]
    last = _date(end_date)
    if last is None:
        errors["slutt"] = [_("Skriv inn den siste dagen vedtaket skal gjelde.")]
    elif last < today:
        errors["slutt"] = [_("Vedtaket kan ikke avsluttes fra en dato som har passert.")]
    elif not decision.start_date <= last < decision.end_date:
        errors["slutt"] = [
            _("Den siste dagen må være fra %(first)s og før %(last)s (vedtakets til-dato).")
            % {"first": decision.start_date.strftime("%d.%m.%Y"), "last": decision.end_date.strftime("%d.%m.%Y")}
        ]
    reason = (reason or "").strip()
    if not reason or len(reason) > TEXT_MAX:
        errors["grunn"] = [_("Skriv hvorfor vedtaket avsluttes (høyst 4000 tegn).")]
    if errors:
        _refuse(event="school.iop.decision.end.denied", pupil_id=decision.pupil_id, fields=errors, decision=decision.pk)
    assert last is not None
    from integrations.public import outbox_enqueue

    problem = ""
    with transaction.atomic():
        current = AdaptedEducationDecision.objects.select_for_update().get(pk=decision.pk)
        if current.status == AdaptedDecisionStatus.ACTIVE:
            old_end = current.end_date
            current.decided_end_date = current.decided_end_date or old_end
            current.end_date = last
            current.status = AdaptedDecisionStatus.ENDED
            current.end_reason = reason
            current.ended_at = clock.now()
            current.ended_by_user_id = user.pk
            current.save(
                update_fields=["decided_end_date", "end_date", "status", "end_reason", "ended_at", "ended_by_user_id"]
            )
            _grants_follow(decision=current, old_end=old_end, until=last)
            outbox_enqueue(
                kind=DECISION_END_LETTER_KIND,
                payload={"decision_id": current.pk},
                idempotency_key=f"school-iop-avslutt:{current.pk}",
            )
            current.pupil = decision.pupil
            _notify_guardians(
                decision=current, title=_("Vedtaket om individuelt tilrettelagt opplæring for %(child)s er avsluttet")
            )
            audit_record(
                action=AuditAction.UPDATE,
                event="school.iop.decision.end",
                person_ids=[current.pupil_id],
                object_type="school.AdaptedEducationDecision",
                object_id=current.pk,
                details={"last_day": last.isoformat(), "decided_end": old_end.isoformat()},
            )
        else:  # ended or replaced by someone else between the check and the lock
            problem = _not_active_message()
    if problem:
        _refuse(event="school.iop.decision.end.denied", pupil_id=decision.pupil_id, fields={"vedtak": [problem]})
    return current


def adapted_decision_end_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``DECISION_END_LETTER_KIND``): the letter ending a decision, to the guardians and archived."""
    from integrations.public import PermanentError

    decision_id = delivery.payload.get("decision_id")
    if not isinstance(decision_id, int):
        raise PermanentError(f"{DECISION_END_LETTER_KIND}: payload uten decision_id: {delivery.payload!r}")
    return {"letters": adapted_decision_end_letter_send(decision_id=decision_id)}


def adapted_decision_end_letter_send(*, decision_id: int) -> int:
    """Send the guardians the decision ending the adapted education, and archive it (idempotent per key)."""
    from integrations.public import decision_letters_send

    decision = AdaptedEducationDecision.objects.select_related("pupil", "school").filter(pk=decision_id).first()
    if decision is None or decision.status != AdaptedDecisionStatus.ENDED or decision.ended_at is None:
        return 0
    child = decision.pupil
    facts = {
        "child": child.full_name,
        "school": decision.school.name,
        "first": decision.start_date.strftime("%d.%m.%Y"),
        "last": decision.end_date.strftime("%d.%m.%Y"),
        "decided": (decision.decided_end_date or decision.end_date).strftime("%d.%m.%Y"),
    }
    paragraphs = [
        _(
            "Vedtaket om individuelt tilrettelagt opplæring for %(child)s ved %(school)s, som gjaldt fra %(first)s "
            "til %(decided)s, avsluttes. Siste dag med individuelt tilrettelagt opplæring er %(last)s "
            "(opplæringslova § 11-7)."
        )
        % facts,
        _("Begrunnelse: %(reasons)s") % {"reasons": decision.end_reason},
    ]
    sent = decision_letters_send(
        child_person_id=child.pk,
        guardian_ids=selectors.pupil_guardian_ids(pupil_ids=[child.pk], day=clock.today()).get(child.pk, []),
        title=_("Vedtak om å avslutte individuelt tilrettelagt opplæring – %(child)s") % facts,
        template="letters/vedtak.html",
        context={"paragraphs": paragraphs},
        case_ref=f"ITO-{decision.pk}",
        key=f"school-iop-avslutt-brev:{decision.pk}",
        archive_key=f"school-iop-avslutt-arkiv:{decision.pk}",
        case_type=CASE_TYPE,
        case_id=decision.pk,
        case_title=_case_title(),
        document_date=decision.ended_at.date(),
    )
    return len(sent)
