"""Individually adapted education (individuelt tilrettelagd opplæring, opplæringslova §§ 11-6 to 11-11).

The case of one pupil: PPT's expert assessment (sakkunnig vurdering, § 11-8) arrives as an incoming document and is
archived (journalpost I); the principal's enkeltvedtak (§ 11-7) sets hours, organisation, subjects, period and
records the guardians' consent, and its letter goes to the guardians through SvarUt and into the archive (outbox);
the special educator or the contact teacher writes the IOP per subject (§ 11-10) and the yearly evaluation
(årsrapport, § 11-11), each version archived. Everything lands on the pupil's saksmappe ``school.iop`` in Noark 5,
which the archive marks skjermet (tilgangsrestriksjon 13, offentleglova § 13 with forvaltningsloven § 13).

Who reads it is the access rules' business (``school/permissions.py``: ``school.iop.*``): the principal, the
special educators, the pupil's contact teacher and the subject teachers the decision names (a time-limited
``AccessGrant`` on the pupil). Every read and write is audit-logged; a refusal concerning a child too.

Writes: ``expert_assessment_record``, ``adapted_decision_create``, ``iop_save``, ``iop_evaluation_save``.
Reads: ``adapted_pupils_for_user``, ``adapted_case_for``, ``adapted_case_for_guardian``, ``expert_assessment_pdf``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from messaging.public import notify
from oas import clock, uploads
from oas.access.evaluation import access_queryset, has_action
from oas.access.getters import AccessNotFound, access_child, access_object
from oas.access.models import AccessGrant
from oas.access.principal import Actor, principal_for
from oas.access.services import grant_create
from oas.audit.models import AuditAction
from oas.audit.services import audit_read, audit_record
from oas.errors import ValidationError
from oas.identity.models import Account, AccountKind
from oas.people.models import Employee, Employment, Person, Placement, Service
from oas.periods import DATED, active_on, overlapping
from school import selectors
from school.models import (
    AdaptedDecisionSubject,
    AdaptedEducationDecision,
    AdaptedOrganisation,
    ExpertAssessment,
    IndividualEducationPlan,
    IopEvaluation,
    SchoolYear,
    Subject,
)

logger = logging.getLogger(__name__)

CASE_TYPE = "school.iop"
DECISION_LETTER_KIND = "school.adapted_decision"
IOP_ARCHIVE_KIND = "school.iop_archive"
READ = "school.iop.read"
MANAGE = "school.iop.manage"
WRITE = "school.iop.write"
FOLLOW_UP = "school.iop.follow_up"
GUARDIAN_READ = "school.iop.child_read"
ASSESSMENT_TYPES = {"pdf": uploads.PDF}
MAX_HOURS_PER_YEAR = 1500
MAX_HOURS_PER_WEEK = decimal.Decimal(40)
GRANT_REASON = "Faglærer i vedtak om individuelt tilrettelagt opplæring (opplæringslova § 11-7)"


def _case_title() -> str:
    return _("Individuelt tilrettelagt opplæring")


# ---------------------------------------------------------------------------------------------------------------
# Reads
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class DecisionView:
    decision: AdaptedEducationDecision
    subjects: list[AdaptedDecisionSubject]
    plans: dict[int, IndividualEducationPlan]  # by subject id
    evaluations: list[IopEvaluation]

    @property
    def subject_rows(self) -> list[tuple[AdaptedDecisionSubject, IndividualEducationPlan | None]]:
        return [(s, self.plans.get(s.subject_id)) for s in self.subjects]


@dataclass
class AdaptedCase:
    pupil: Person
    assessments: list[ExpertAssessment]
    decisions: list[DecisionView] = field(default_factory=list)


def _decision_views(decisions: Iterable[AdaptedEducationDecision]) -> list[DecisionView]:
    rows = list(decisions)
    ids = [d.pk for d in rows]
    subjects: dict[int, list[AdaptedDecisionSubject]] = {}
    for s in (
        AdaptedDecisionSubject.objects.filter(decision_id__in=ids)
        .select_related("subject", "teacher__person")
        .order_by("subject__name")
    ):
        subjects.setdefault(s.decision_id, []).append(s)
    plans: dict[int, dict[int, IndividualEducationPlan]] = {}
    for p in IndividualEducationPlan.objects.filter(decision_id__in=ids).select_related("subject"):
        plans.setdefault(p.decision_id, {})[p.subject_id] = p
    evaluations: dict[int, list[IopEvaluation]] = {}
    for e in IopEvaluation.objects.filter(decision_id__in=ids).select_related("school_year").order_by("-written_at"):
        evaluations.setdefault(e.decision_id, []).append(e)
    return [
        DecisionView(
            decision=d,
            subjects=subjects.get(d.pk, []),
            plans=plans.get(d.pk, {}),
            evaluations=evaluations.get(d.pk, []),
        )
        for d in rows
    ]


def adapted_case_for(*, user: Actor, pupil: Person) -> AdaptedCase:
    """Return the pupil's assessments and decisions with their IOPs and evaluations (the caller authorised the pupil).

    The rows are read through the access filter as well (``school.iop.read``), so a caller that forgot the getter
    still gets nothing it may not see.
    """
    assessments = access_queryset(
        user=user, action=READ, queryset=ExpertAssessment.objects.filter(pupil=pupil).defer("document")
    ).order_by("-received_date")
    decisions = access_queryset(
        user=user,
        action=READ,
        queryset=AdaptedEducationDecision.objects.filter(pupil=pupil).select_related("school", "consent_by"),
    ).order_by("-start_date")
    return AdaptedCase(pupil=pupil, assessments=list(assessments), decisions=_decision_views(decisions))


def adapted_case_for_guardian(*, user: Actor, child: Person) -> list[DecisionView]:
    """Return the child's decisions with IOPs and evaluations as the guardian may see them (none without the right)."""
    decisions = access_queryset(
        user=user,
        action=GUARDIAN_READ,
        queryset=AdaptedEducationDecision.objects.filter(pupil=child).select_related("school"),
    ).order_by("-start_date")
    return _decision_views(decisions)


@dataclass(frozen=True)
class AdaptedPupilRow:
    pupil: Person
    decision: AdaptedEducationDecision
    plans: int
    subjects: int


def adapted_pupils_for_user(*, user: Actor, day: dt.date | None = None) -> list[AdaptedPupilRow]:
    """Return the pupils with a current or coming decision that the user may read (filtered in SQL), by name."""
    day = day or clock.today()
    decisions = access_queryset(
        user=user,
        action=READ,
        queryset=AdaptedEducationDecision.objects.filter(end_date__gte=day).select_related("pupil", "school"),
    ).order_by("pupil__last_name", "pupil__first_name", "start_date")[:500]
    return _pupil_rows(list(decisions))


def _pupil_rows(rows: list[AdaptedEducationDecision]) -> list[AdaptedPupilRow]:
    ids = [d.pk for d in rows]
    plan_counts: dict[int, int] = {}
    for decision_id in IndividualEducationPlan.objects.filter(decision_id__in=ids).values_list(
        "decision_id", flat=True
    ):
        plan_counts[decision_id] = plan_counts.get(decision_id, 0) + 1
    subject_counts: dict[int, int] = {}
    for decision_id in AdaptedDecisionSubject.objects.filter(decision_id__in=ids).values_list("decision_id", flat=True):
        subject_counts[decision_id] = subject_counts.get(decision_id, 0) + 1
    out = [
        AdaptedPupilRow(pupil=d.pupil, decision=d, plans=plan_counts.get(d.pk, 0), subjects=subject_counts.get(d.pk, 0))
        for d in rows
    ]
    audit_read(event="school.iop.list", person_ids=[r.pupil.pk for r in out], object_type="school.AdaptedEducation")
    return out


EVALUATION_ENDING_WEEKS = 6  # the årsrapport is due when the school year has this many weeks left


def evaluation_missing_decisions(*, user: Actor, day: dt.date | None = None) -> QuerySet[AdaptedEducationDecision]:
    """Return the running decisions whose yearly evaluation (årsrapport, § 11-11) is missing, for the user.

    Missing: the school year is ending (``EVALUATION_ENDING_WEEKS`` left) and the decision, or the one it replaced,
    has no evaluation for it; or the decision (counted from the one it replaced) is more than a year old and no
    evaluation was written the last year. Only while a school year runs (the evaluation belongs to one). Filtered
    in the database by ``school.iop.follow_up`` (the principal and the special educators).
    """
    day = day or clock.today()
    year_ago = day - dt.timedelta(days=365)
    this_year = SchoolYear.objects.filter(
        municipality_id=OuterRef("school__municipality_id"), start_date__lte=day, end_date__gte=day
    )
    ending = this_year.filter(end_date__lte=day + dt.timedelta(weeks=EVALUATION_ENDING_WEEKS))
    own = Q(decision_id=OuterRef("pk")) | Q(decision_id=OuterRef("replaces_id"))
    written_this_year = IopEvaluation.objects.filter(
        own, school_year__start_date__lte=day, school_year__end_date__gte=day
    )
    written_last_year = IopEvaluation.objects.filter(own, written_at__date__gt=year_ago)
    over_a_year = Q(start_date__lte=year_ago, replaces__isnull=True) | Q(replaces__start_date__lte=year_ago)
    decisions = AdaptedEducationDecision.objects.filter(
        Exists(this_year),
        (Exists(ending) & ~Exists(written_this_year)) | (over_a_year & ~Exists(written_last_year)),
        start_date__lte=day,
        end_date__gte=day,
    )
    return access_queryset(user=user, action=FOLLOW_UP, queryset=decisions)


def adapted_pupils_evaluation_missing(*, user: Actor) -> list[AdaptedPupilRow]:
    """Return the pupils whose årsrapport is missing (the arbeidsflate task's list: the same rows), by name."""
    decisions = evaluation_missing_decisions(user=user).select_related("pupil", "school")
    return _pupil_rows(list(decisions.order_by("pupil__last_name", "pupil__first_name", "start_date")[:500]))


def expert_assessment_pdf(*, user: Actor, assessment_id: int | str) -> ExpertAssessment:
    """Return the assessment with its document if the user may read the pupil's case (audit-logged), else 404."""
    return access_object(
        user=user,
        queryset=ExpertAssessment.objects.all(),
        id=assessment_id,
        action=READ,
        audit_event="school.iop.assessment.download",
        person_ids_of=lambda a: [a.pupil_id],
    )


def school_teachers(*, school_id: int, day: dt.date) -> list[Employee]:
    """Return the school's employees who may be named as subject teachers (employed there on ``day``)."""
    employed = Employment.objects.filter(active_on(day), unit_id=school_id).values("employee_id")
    return list(
        Employee.objects.filter(pk__in=employed, active=True)
        .select_related("person")
        .order_by("person__last_name", "person__first_name")
    )


def pupil_guardians(*, pupil_id: int, day: dt.date) -> list[Person]:
    """Return the guardians who may give consent and receive the decision (they may learn the school)."""
    ids = selectors.pupil_guardian_ids(pupil_ids=[pupil_id], day=day).get(pupil_id, [])
    return list(Person.objects.filter(pk__in=ids).order_by("first_name"))


# ---------------------------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------------------------


def _refuse(*, event: str, pupil_id: int, fields: dict[str, list[str]], **details: Any) -> None:
    """Audit a refusal concerning a child (outside any transaction, so it survives) and raise the error."""
    message = next(iter(fields.values()))[0]
    audit_record(
        action=AuditAction.DENIED,
        event=event,
        person_ids=[pupil_id],
        object_type="school.AdaptedEducation",
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="adapted_education_refused", fields=fields)


def _date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> decimal.Decimal | None:
    try:
        result = decimal.Decimal(str(value).strip().replace(",", "."))
    except (decimal.InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def pupil_school(pupil_id: int, day: dt.date) -> Any:
    """Return the pupil's school (the unit of their school placement) on ``day``, or None."""
    placement = (
        Placement.objects.filter(active_on(day, fields=DATED), child_id=pupil_id, service=Service.SCHOOL)
        .select_related("unit")
        .first()
    )
    return placement.unit if placement else None


def _writer_name(user: Actor) -> str:
    return principal_for(user).display_name[:200]


def expert_assessment_record(
    *,
    user: Actor,
    pupil_id: int | str,
    received_date: dt.date | str | None,
    summary: str,
    recommended_hours_per_year: int | str | None,
    document: IO[bytes] | bytes | None,
    filename: str,
) -> ExpertAssessment:
    """Record PPT's expert assessment (§ 11-8) with its PDF; archive it as an incoming journalpost.

    Refused (nothing written, audit-logged): a pupil the user may not manage (404), a missing or future date,
    no summary, hours outside 1–1500, a missing file or one that is not really a PDF, a child who is not a pupil.
    """
    pupil = access_child(user=user, id=pupil_id, action=MANAGE, audit_event="")
    event = "school.iop.assessment.denied"
    errors: dict[str, list[str]] = {}
    received = _date(received_date)
    if received is None:
        errors["mottatt"] = [_("Skriv inn datoen vurderingen ble mottatt.")]
    elif received > clock.today():
        errors["mottatt"] = [_("Mottatt-datoen kan ikke være frem i tid.")]
    summary = (summary or "").strip()
    if not summary or len(summary) > 4000:
        errors["sammendrag"] = [_("Skriv et sammendrag av den sakkyndige vurderingen (høyst 4000 tegn).")]
    hours = _int(recommended_hours_per_year)
    if hours is None or not 1 <= hours <= MAX_HOURS_PER_YEAR:
        errors["timer"] = [_("Anbefalte timer per år må være et helt tall fra 1 til 1500.")]
    accepted: uploads.AcceptedFile | None = None
    if document is None or (isinstance(document, bytes) and not document):
        errors["dokument"] = [_("Last opp den sakkyndige vurderingen som PDF.")]
    else:
        try:
            accepted = uploads.upload_accept(source=document, filename=filename or "", allowed=ASSESSMENT_TYPES)
        except ValidationError as exc:
            errors["dokument"] = [exc.message]
    school = pupil_school(pupil.pk, clock.today())
    if school is None and not errors:
        errors["elev"] = [_("Barnet er ikke elev nå.")]
    if errors:
        _refuse(event=event, pupil_id=pupil.pk, fields=errors)
    assert received is not None and hours is not None and accepted is not None
    from integrations.public import archive_document

    with transaction.atomic():
        assessment = ExpertAssessment(
            pupil=pupil,
            school=school,
            received_date=received,
            summary=summary,
            recommended_hours_per_year=hours,
            document_name=accepted.filename[:200],
            document_sha256=accepted.sha256,
            document=accepted.content,
            registered_at=clock.now(),
            registered_by_user_id=user.pk,
        )
        assessment.full_clean()
        assessment.save()
        assessment.archive_record_id = archive_document(
            child_person_id=pupil.pk,
            case_type=CASE_TYPE,
            case_id=f"sakkyndig-{assessment.pk}",
            case_title=_case_title(),
            journalposttype="I",
            title=_("Sakkyndig vurdering fra PPT"),
            pdf=accepted.content,
            document_date=received,
            idempotency_key=f"school-iop-sakkyndig:{assessment.pk}",
            filename="sakkyndig-vurdering.pdf",
        )
        assessment.save(update_fields=["archive_record_id"])
        audit_record(
            action=AuditAction.CREATE,
            event="school.iop.assessment.record",
            person_ids=[pupil.pk],
            object_type="school.ExpertAssessment",
            object_id=assessment.pk,
            details={"hours": hours, "received": received.isoformat()},
        )
    return assessment


def _overlap_message(other: AdaptedEducationDecision) -> str:
    return _(
        "Eleven har allerede et vedtak om individuelt tilrettelagt opplæring %(first)s–%(last)s. "
        "Et nytt vedtak kan ikke overlappe; endre eller avslutt det gjeldende vedtaket først."
    ) % {"first": other.start_date.strftime("%d.%m.%Y"), "last": other.end_date.strftime("%d.%m.%Y")}


@dataclass(frozen=True)
class _DecisionInput:
    assessment: ExpertAssessment
    school: Any
    first: dt.date
    last: dt.date
    per_year: int
    per_week: decimal.Decimal
    organisation: str
    pairs: list[tuple[int, int | None]]
    consenter: int
    consented: dt.date
    reasons: str

    @property
    def teacher_ids(self) -> list[int]:
        return sorted({t for _s, t in self.pairs if t is not None})


def _period_and_hours_errors(raw: dict[str, Any], errors: dict[str, list[str]]) -> None:
    first, last = _date(raw["start_date"]), _date(raw["end_date"])
    if first is None or last is None:
        errors["fra"] = [_("Skriv inn gyldige datoer for fra og til.")]
    elif last < first:
        errors["til"] = [_("Til-datoen kan ikke være før fra-datoen.")]
    elif (last - first).days > 3 * 366:
        errors["til"] = [_("Et vedtak kan gjelde for høyst tre år.")]
    per_year = _int(raw["hours_per_year"])
    if per_year is None or not 1 <= per_year <= MAX_HOURS_PER_YEAR:
        errors["timer_aar"] = [_("Timer per år må være et helt tall fra 1 til 1500.")]
    per_week = _decimal(raw["hours_per_week"])
    if per_week is None or not decimal.Decimal(0) < per_week <= MAX_HOURS_PER_WEEK or per_week != round(per_week, 1):
        errors["timer_uke"] = [_("Timer per uke må være et tall over 0 og høyst 40 (én desimal).")]
    if raw["organisation"] not in AdaptedOrganisation.values:
        errors["organisering"] = [_("Velg hvordan opplæringen skal organiseres.")]


def _subject_pairs(
    subject_teachers: list[tuple[Any, Any]], school: Any, errors: dict[str, list[str]]
) -> list[tuple[int, int | None]]:
    pairs: list[tuple[int, int | None]] = []
    for subject_value, teacher_value in subject_teachers:
        subject_id = _int(subject_value)
        if subject_id is None:
            continue
        named = str(teacher_value or "").strip()
        teacher_id = _int(named) if named else None
        if named and teacher_id is None:
            errors["fag"] = [_("Ukjent lærer.")]
        pairs.append((subject_id, teacher_id))
    subject_ids = [s for s, _t in pairs]
    teacher_ids = {t for _s, t in pairs if t is not None}
    if not pairs:
        errors["fag"] = [_("Velg minst ett fag vedtaket gjelder.")]
    elif len(set(subject_ids)) != len(subject_ids):
        errors["fag"] = [_("Hvert fag kan bare stå én gang i vedtaket.")]
    elif Subject.objects.filter(pk__in=subject_ids, active=True).count() != len(subject_ids):
        errors["fag"] = [_("Ukjent fag.")]
    elif teacher_ids and school is not None:
        employed = {e.pk for e in school_teachers(school_id=school.pk, day=clock.today())}
        if not teacher_ids <= employed:
            errors["fag"] = [_("Faglæreren må være ansatt ved elevens skole.")]
    return pairs


def _decision_validate(*, pupil: Person, raw: dict[str, Any]) -> _DecisionInput:
    """Check the decision's input; refuse (audit-logged, nothing written) with every problem found."""
    today = clock.today()
    errors: dict[str, list[str]] = {}
    assessment = ExpertAssessment.objects.filter(pk=_int(raw["assessment_id"]) or 0, pupil=pupil).first()
    if assessment is None:
        errors["vurdering"] = [_("Velg elevens sakkyndige vurdering: vedtaket må bygge på den (§ 11-8).")]
    _period_and_hours_errors(raw, errors)
    first = _date(raw["start_date"])
    school = pupil_school(pupil.pk, first or today) or pupil_school(pupil.pk, today)
    if school is None:
        errors.setdefault("fra", [_("Barnet er ikke elev i perioden.")])
    pairs = _subject_pairs(raw["subject_teachers"], school, errors)
    consenter = _int(raw["consent_by_id"])
    if consenter is None or consenter not in {g.pk for g in pupil_guardians(pupil_id=pupil.pk, day=today)}:
        errors["samtykke"] = [_("Registrer samtykket fra en av elevens foresatte (§ 11-7).")]
    consented = _date(raw["consent_date"])
    if consented is None or consented > today:
        errors["samtykke_dato"] = [_("Skriv inn datoen samtykket ble gitt (ikke frem i tid).")]
    reasons = (raw["reasons"] or "").strip()
    if not reasons or len(reasons) > 4000:
        errors["begrunnelse"] = [_("Skriv en begrunnelse for vedtaket (høyst 4000 tegn).")]
    if errors:
        _refuse(event="school.iop.decision.denied", pupil_id=pupil.pk, fields=errors)
    last, per_year, per_week = _date(raw["end_date"]), _int(raw["hours_per_year"]), _decimal(raw["hours_per_week"])
    assert assessment is not None and first is not None and last is not None and consenter is not None
    assert per_year is not None and per_week is not None and consented is not None
    return _DecisionInput(
        assessment=assessment,
        school=school,
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


def adapted_decision_create(
    *,
    user: Actor,
    pupil_id: int | str,
    assessment_id: int | str | None,
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
    """Make the enkeltvedtak (§ 11-7); the letter goes to the guardians through SvarUt and the archive (outbox).

    ``subject_teachers`` is ``[(subject id, employee id or None), …]``: the subjects the decision covers and the
    subject teacher it names; each named teacher gets read access to the pupil's case for the decision's period.
    Refused (nothing written, audit-logged): a pupil the user may not decide for (404), an assessment of another
    pupil, bad dates or hours, an unknown organisation, no or unknown subjects, a teacher not employed at the
    school, consent missing or from someone who is not the pupil's guardian, and a period that overlaps another
    decision of the pupil (checked here, and by the database's exclusion constraint).
    """
    pupil = access_child(user=user, id=pupil_id, action=MANAGE, audit_event="")
    raw = {
        "assessment_id": assessment_id,
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
    data = _decision_validate(pupil=pupil, raw=raw)
    problem = ""
    try:
        return _decision_write(user=user, pupil=pupil, data=data)
    except _Overlap as exc:
        problem = str(exc)
    except IntegrityError as exc:  # the exclusion constraint: a decision committed between our check and insert
        if "adapteddecision_no_overlap" not in str(exc):
            raise
        problem = _("Eleven har allerede et vedtak om individuelt tilrettelagt opplæring i perioden.")
    _refuse(event="school.iop.decision.denied", pupil_id=pupil.pk, fields={"fra": [problem]})
    raise AssertionError  # unreachable: _refuse raises


def _decision_write(*, user: Actor, pupil: Person, data: _DecisionInput) -> AdaptedEducationDecision:
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        # One decision at a time per pupil: two principals deciding at once are checked one after the other.
        Person.objects.select_for_update().filter(pk=pupil.pk).first()
        other = AdaptedEducationDecision.objects.filter(
            overlapping(data.first, data.last, fields=DATED), pupil=pupil
        ).first()
        if other is not None:
            raise _Overlap(_overlap_message(other))
        decision = AdaptedEducationDecision.objects.create(
            pupil=pupil,
            school=data.school,
            assessment=data.assessment,
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
        )
        AdaptedDecisionSubject.objects.bulk_create(
            [AdaptedDecisionSubject(decision=decision, subject_id=s, teacher_id=t) for s, t in data.pairs]
        )
        _grant_subject_teachers(decision=decision, teacher_ids=data.teacher_ids, granted_by=_writer_name(user))
        outbox_enqueue(
            kind=DECISION_LETTER_KIND,
            payload={"decision_id": decision.pk},
            idempotency_key=f"school-iop-vedtak:{decision.pk}",
        )
        guardian_ids = selectors.pupil_guardian_ids(pupil_ids=[pupil.pk], day=clock.today()).get(pupil.pk, [])
        notify(
            person_ids=guardian_ids,
            key=f"school.iop.decision.{decision.pk}",
            title=_("Vedtak om individuelt tilrettelagt opplæring for %(child)s") % {"child": pupil.first_name},
            url=reverse("school:portal_school"),
            unit_id=data.school.pk,
        )
        audit_record(
            action=AuditAction.CREATE,
            event="school.iop.decision.create",
            person_ids=[pupil.pk],
            object_type="school.AdaptedEducationDecision",
            object_id=decision.pk,
            details={
                "from": data.first.isoformat(),
                "to": data.last.isoformat(),
                "hours_per_year": data.per_year,
                "subjects": [s for s, _t in data.pairs],
                "teachers": data.teacher_ids,
            },
        )
    return decision


class _Overlap(Exception):
    """Leave the transaction without writing (refused after the rollback, so the refusal's audit row stays)."""


def _grant_subject_teachers(*, decision: AdaptedEducationDecision, teacher_ids: list[int], granted_by: str) -> int:
    """Give each named subject teacher (their staff accounts) read access to the pupil for the decision's period.

    Idempotent: an existing grant for the same user, pupil and end date is kept. A teacher without an account yet
    gets theirs when the account is created (``adapted_grants_for_account``).
    """
    if not teacher_ids:
        return 0
    today = clock.today()
    if decision.end_date < today:
        return 0
    made = 0
    accounts = Account.objects.filter(employee_id__in=teacher_ids, kind=AccountKind.STAFF)
    for user_id in accounts.values_list("user_id", flat=True):
        if AccessGrant.objects.filter(
            user_id=user_id, action=READ, person_id=decision.pupil_id, valid_to=decision.end_date
        ).exists():
            continue
        grant_create(
            user_id=user_id,
            action=READ,
            person=decision.pupil,
            valid_from=min(today, decision.start_date),
            valid_to=decision.end_date,
            reason=GRANT_REASON,
            granted_by=granted_by,
        )
        made += 1
    return made


def adapted_grants_for_employee(*, employee_id: int) -> int:
    """Give a subject teacher the grants of the current decisions that name them (their account came later)."""
    named = AdaptedDecisionSubject.objects.filter(
        teacher_id=employee_id, decision__end_date__gte=clock.today()
    ).select_related("decision__pupil")
    made = 0
    for row in named:
        made += _grant_subject_teachers(decision=row.decision, teacher_ids=[employee_id], granted_by="OAS")
    return made


def _account_saved(sender: Any, instance: Account, created: bool, **kwargs: Any) -> None:
    """A staff account created after the decision (first login) gets the subject teacher's grants now."""
    if created and instance.employee_id is not None and instance.kind == AccountKind.STAFF:
        adapted_grants_for_employee(employee_id=instance.employee_id)


def connect_signals() -> None:
    from django.db.models.signals import post_save

    post_save.connect(_account_saved, sender=Account, dispatch_uid="school.adapted_education.account_saved")


def _decision_for_writing(*, user: Actor, decision_id: int | str) -> AdaptedEducationDecision:
    decision = access_object(
        user=user,
        queryset=AdaptedEducationDecision.objects.select_related("pupil", "school"),
        id=decision_id,
        action=READ,
        person_ids_of=lambda d: [d.pupil_id],
    )
    if not has_action(user=user, action=WRITE, target=decision.pupil):
        audit_record(
            action=AuditAction.DENIED,
            event=f"{WRITE}.denied",
            person_ids=[decision.pupil_id],
            object_type="school.AdaptedEducationDecision",
            object_id=decision.pk,
        )
        raise AccessNotFound(_("Ikke funnet."))
    return decision


def iop_save(
    *, user: Actor, decision_id: int | str, subject_id: int | str, goals: str, content: str, organisation: str
) -> IndividualEducationPlan:
    """Write or revise the IOP (§ 11-10) for one subject of a decision; each version is archived (outbox).

    Only the special educator and the pupil's contact teacher write (``school.iop.write``); others get 404.
    Refused (nothing written, audit-logged): a subject the decision does not cover, empty or too long texts.
    """
    decision = _decision_for_writing(user=user, decision_id=decision_id)
    errors: dict[str, list[str]] = {}
    subject = _int(subject_id)
    if subject is None or not AdaptedDecisionSubject.objects.filter(decision=decision, subject_id=subject).exists():
        errors["fag"] = [_("Faget står ikke i vedtaket.")]
    goals, content, organisation = (goals or "").strip(), (content or "").strip(), (organisation or "").strip()
    if not goals or len(goals) > 4000:
        errors["maal"] = [_("Skriv målene for opplæringen i faget (høyst 4000 tegn).")]
    if not content or len(content) > 4000:
        errors["innhold"] = [_("Skriv innholdet i opplæringen (høyst 4000 tegn).")]
    if not organisation or len(organisation) > 2000:
        errors["organisering"] = [_("Skriv hvordan opplæringen organiseres (høyst 2000 tegn).")]
    if errors:
        _refuse(event="school.iop.plan.denied", pupil_id=decision.pupil_id, fields=errors, decision=decision.pk)
    assert subject is not None
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        plan = IndividualEducationPlan.objects.select_for_update().filter(decision=decision, subject_id=subject).first()
        created = plan is None
        if plan is None:
            plan = IndividualEducationPlan(decision=decision, subject_id=subject, version=0)
        plan.goals, plan.content, plan.organisation = goals, content, organisation
        plan.version += 1
        plan.written_by_user_id = user.pk
        plan.written_by_name = _writer_name(user)
        plan.updated_at = clock.now()
        plan.save()
        outbox_enqueue(
            kind=IOP_ARCHIVE_KIND,
            payload={"plan_id": plan.pk, "version": plan.version},
            idempotency_key=f"school-iop-plan:{plan.pk}:{plan.version}",
        )
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            event="school.iop.plan.save",
            person_ids=[decision.pupil_id],
            object_type="school.IndividualEducationPlan",
            object_id=plan.pk,
            details={"decision": decision.pk, "subject": subject, "version": plan.version},
        )
    return plan


def iop_evaluation_save(*, user: Actor, decision_id: int | str, text: str) -> IopEvaluation:
    """Write or revise the current school year's evaluation (årsrapport, § 11-11) of a decision; archived (outbox)."""
    decision = _decision_for_writing(user=user, decision_id=decision_id)
    text = (text or "").strip()
    today = clock.today()
    year = SchoolYear.objects.filter(
        municipality_id=decision.school.municipality_id, start_date__lte=today, end_date__gte=today
    ).first()
    errors: dict[str, list[str]] = {}
    if not text or len(text) > 6000:
        errors["evaluering"] = [
            _("Skriv årsrapporten: hva eleven har lært og om opplæringen bør endres (høyst 6000 tegn).")
        ]
    if year is None:
        errors.setdefault("evaluering", [_("Det er ikke noe skoleår nå.")])
    elif not (decision.start_date <= year.end_date and decision.end_date >= year.start_date):
        errors["evaluering"] = [_("Vedtaket gjelder ikke i dette skoleåret.")]
    if errors:
        _refuse(event="school.iop.evaluation.denied", pupil_id=decision.pupil_id, fields=errors, decision=decision.pk)
    assert year is not None
    from integrations.public import outbox_enqueue

    with transaction.atomic():
        evaluation, created = IopEvaluation.objects.select_for_update().get_or_create(
            decision=decision,
            school_year=year,
            defaults={"text": text, "written_at": clock.now(), "written_by_user_id": user.pk},
        )
        evaluation.text = text
        evaluation.written_at = clock.now()
        evaluation.written_by_user_id = user.pk
        evaluation.written_by_name = _writer_name(user)
        evaluation.save()
        stamp = evaluation.written_at.strftime("%Y%m%d%H%M%S%f")
        outbox_enqueue(
            kind=IOP_ARCHIVE_KIND,
            payload={"evaluation_id": evaluation.pk, "stamp": stamp},
            idempotency_key=f"school-iop-evaluering:{evaluation.pk}:{stamp}",
        )
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            event="school.iop.evaluation.save",
            person_ids=[decision.pupil_id],
            object_type="school.IopEvaluation",
            object_id=evaluation.pk,
            details={"decision": decision.pk, "school_year": year.name},
        )
    return evaluation


# ---------------------------------------------------------------------------------------------------------------
# Outbox handlers (run by the outbox worker: no user)
# ---------------------------------------------------------------------------------------------------------------


def adapted_decision_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``DECISION_LETTER_KIND``): the enkeltvedtak to the guardians through SvarUt, then archived."""
    from integrations.public import PermanentError

    decision_id = delivery.payload.get("decision_id")
    if not isinstance(decision_id, int):
        raise PermanentError(f"{DECISION_LETTER_KIND}: payload uten decision_id: {delivery.payload!r}")
    return {"letters": adapted_decision_letter_send(decision_id=decision_id)}


def adapted_decision_letter_send(*, decision_id: int) -> int:
    """Send the decision to the guardians who may learn the school and archive it (idempotent per key)."""
    from integrations.public import decision_letters_send

    decision = (
        AdaptedEducationDecision.objects.select_related("pupil", "school", "assessment", "replaces")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return 0
    child = decision.pupil
    subjects = ", ".join(s.subject.name for s in decision.subjects.select_related("subject").order_by("subject__name"))
    facts = {
        "child": child.full_name,
        "school": decision.school.name,
        "first": decision.start_date.strftime("%d.%m.%Y"),
        "last": decision.end_date.strftime("%d.%m.%Y"),
        "year": decision.hours_per_year,
        "week": f"{decision.hours_per_week:g}".replace(".", ","),
        "organisation": decision.get_organisation_display().lower(),
        "subjects": subjects,
        "assessment": decision.assessment.received_date.strftime("%d.%m.%Y"),
    }
    title = _("Vedtak om individuelt tilrettelagt opplæring – %(child)s") % facts
    paragraphs = [
        _(
            "%(child)s får individuelt tilrettelagt opplæring ved %(school)s fra %(first)s til %(last)s, "
            "jf. opplæringslova §§ 11-6 og 11-7."
        )
        % facts,
        _("Omfang: %(year)s timer per år (%(week)s timer per uke), organisert %(organisation)s, i fagene %(subjects)s.")
        % facts,
        _("Vedtaket bygger på sakkyndig vurdering fra PPT mottatt %(assessment)s (§ 11-8).") % facts,
        _("Skolen utarbeider en individuell opplæringsplan (IOP) og en årlig evaluering (§§ 11-10 og 11-11).") % facts,
        _("Begrunnelse: %(reasons)s") % {"reasons": decision.reasons},
    ]
    if decision.replaces is not None:
        # A change (§ 11-7) is a new decision: the letter says which one it replaces and from when.
        paragraphs.insert(
            1,
            _("Dette vedtaket erstatter vedtaket av %(decided)s fra og med %(first)s.")
            % {"decided": decision.replaces.decided_at.strftime("%d.%m.%Y"), "first": facts["first"]},
        )
    sent = decision_letters_send(
        child_person_id=child.pk,
        guardian_ids=selectors.pupil_guardian_ids(pupil_ids=[child.pk], day=clock.today()).get(child.pk, []),
        title=title,
        template="letters/vedtak.html",
        context={"paragraphs": paragraphs},
        case_ref=f"ITO-{decision.pk}",
        key=f"school-iop-vedtak-brev:{decision.pk}",
        archive_key=f"school-iop-vedtak-arkiv:{decision.pk}",
        case_type=CASE_TYPE,
        case_id=decision.pk,
        case_title=_case_title(),
        document_date=decision.decided_at.date(),
    )
    return len(sent)


def iop_archive_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``IOP_ARCHIVE_KIND``): one version of an IOP or a yearly evaluation as PDF to the archive."""
    from integrations.public import PermanentError, archive_document, letter_pdf

    payload = delivery.payload
    if isinstance(payload.get("plan_id"), int):
        plan = (
            IndividualEducationPlan.objects.select_related("decision__pupil", "decision__school", "subject")
            .filter(pk=payload["plan_id"])
            .first()
        )
        if plan is None:
            return {"archived": 0}
        decision, version = plan.decision, payload.get("version", plan.version)
        title = _("Individuell opplæringsplan i %(subject)s") % {"subject": plan.subject.name}
        context: dict[str, Any] = {"plan": plan}
        key = f"school-iop-plan-arkiv:{plan.pk}:{version}"
        day = plan.updated_at.date()
    elif isinstance(payload.get("evaluation_id"), int):
        evaluation = (
            IopEvaluation.objects.select_related("decision__pupil", "decision__school", "school_year")
            .filter(pk=payload["evaluation_id"])
            .first()
        )
        if evaluation is None:
            return {"archived": 0}
        decision = evaluation.decision
        title = _("Årsrapport for individuelt tilrettelagt opplæring %(year)s") % {"year": evaluation.school_year.name}
        context = {"evaluation": evaluation}
        key = f"school-iop-evaluering-arkiv:{evaluation.pk}:{payload.get('stamp', '')}"
        day = evaluation.written_at.date()
    else:
        raise PermanentError(f"{IOP_ARCHIVE_KIND}: ukjent innhold: {payload!r}")
    html = render_to_string(
        "school/iop_archive_pdf.html", {"title": title, "decision": decision, "pupil": decision.pupil, **context}
    )
    with transaction.atomic():
        record_id = archive_document(
            child_person_id=decision.pupil_id,
            case_type=CASE_TYPE,
            case_id=decision.pk,
            case_title=_case_title(),
            journalposttype="U",
            title=title,
            pdf=letter_pdf(html),
            document_date=day,
            idempotency_key=key,
            filename="iop.pdf",
        )
    return {"archived": 1, "record_id": record_id}
