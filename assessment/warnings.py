"""Written warnings (skriftlig varsel, opplæringsforskrifta § 9-7) to the guardians by letter.

Before a pupil gets Nokså god or Lite god in orden or oppførsel, or no grade in a subject for want of a basis for
assessment (manglende vurderingsgrunnlag), the school warns the pupil and the guardians in writing, early enough
for the pupil to improve. The contact teacher or the principal sends it from the class page: one letter to each
guardian through SvarUt (``integrations.public.decision_letters_send``, the outbox) and one copy archived; the
warning itself is kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NoReturn

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from assessment import selectors
from assessment.models import WarningKind, WrittenWarning
from integrations.public import decision_letters_send
from oas import clock
from oas.access.getters import AccessNotFound, access_unit
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnitKind
from school.public import pupil_guardian_ids

if TYPE_CHECKING:
    from oas.access.principal import Actor

REASON_MAX = 2000
CASE_TYPE = "varsel-vurdering"


def _refuse(*, class_id: int, pupil_id: int, message: str) -> NoReturn:
    audit_record(
        action=AuditAction.DENIED,
        event="assessment.warning.send.denied",
        person_ids=[pupil_id] if pupil_id else [],
        object_type="organisation.OrgUnit",
        object_id=class_id,
        details={"reason": message},
    )
    raise ValidationError(message, code="warning_refused")


def _paragraphs(*, warning: WrittenWarning, child: str) -> list[str]:
    values = {"child": child, "subject": warning.subject_name, "period": selectors.period_label(warning.period)}
    if warning.kind == WarningKind.NO_GRADE:
        first = (
            _(
                "Skolen varsler at %(child)s står i fare for ikke å få karakter i %(subject)s %(period)s fordi "
                "skolen mangler grunnlag for vurdering, jf. opplæringsforskrifta § 9-7."
            )
            % values
        )
    else:
        values["what"] = _("orden") if warning.kind == WarningKind.ORDEN else _("oppførsel")
        first = (
            _(
                "Skolen varsler at %(child)s står i fare for å få Nokså god eller Lite god i %(what)s %(period)s, "
                "jf. opplæringsforskrifta § 9-7."
            )
            % values
        )
    return [
        first,
        _("Begrunnelse: %(reason)s") % {"reason": warning.reason},
        _(
            "Varselet skal gi eleven mulighet til å forbedre seg før karakteren settes. Ta gjerne kontakt med "
            "kontaktlæreren for en samtale."
        ),
    ]


def warning_send(
    *, user: Actor, class_id: int | str, pupil_id: int | str, kind: str, reason: str, subject_name: str = ""
) -> WrittenWarning:
    """Send a § 9-7 warning for a pupil (8th grade and above) of the class to the guardians; keep the record."""
    klass = access_unit(user=user, id=class_id, action="assessment.warning.send")
    if klass.kind != OrgUnitKind.CLASS or klass.parent_id is None:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    period = selectors.current_period(day=today)
    pid = int(pupil_id) if str(pupil_id).isdecimal() else 0
    reason, subject_name = reason.strip(), subject_name.strip()
    placement = selectors.pupil_placements(pupil_ids=[pid], day=today).get(pid)
    if placement is None or placement.group_id != klass.pk:
        _refuse(class_id=klass.pk, pupil_id=0, message=_("Eleven går ikke i klassen."))
    if (klass.grade or 0) < selectors.GRADES_FROM:
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Varsel etter § 9-7 gjelder elever fra 8. trinn."))
    if kind not in WarningKind.values:
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Velg hva varselet gjelder."))
    if kind == WarningKind.NO_GRADE and not subject_name:
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Skriv hvilket fag varselet gjelder."))
    if kind != WarningKind.NO_GRADE:
        subject_name = ""
    if not reason or len(reason) > REASON_MAX or len(subject_name) > 200:
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Skriv en begrunnelse (høyst 2000 tegn)."))
    if WrittenWarning.objects.filter(pupil_id=pid, period=period, kind=kind, subject_name=subject_name).exists():
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Dette varselet er allerede sendt dette halvåret."))
    guardians = pupil_guardian_ids(pupil_ids=[pid], day=today).get(pid, [])
    if not guardians:
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Eleven har ingen foresatte som kan få brev."))
    assert placement is not None
    try:
        with transaction.atomic():
            warning = WrittenWarning.objects.create(
                pupil_id=pid,
                klass=klass,
                school_id=klass.parent_id,
                period=period,
                kind=kind,
                subject_name=subject_name,
                reason=reason,
                sent_at=clock.now(),
                sent_by_user_id=user.pk,
            )
            child = placement.child.full_name
            warning.letter_ids = decision_letters_send(
                child_person_id=pid,
                guardian_ids=guardians,
                title=_("Varsel om vurdering – %(child)s") % {"child": child},
                template="letters/melding.html",
                context={"paragraphs": _paragraphs(warning=warning, child=child)},
                case_ref=f"VARSEL-{warning.pk}",
                key=f"assessment-varsel:{warning.pk}",
                archive_key=f"assessment-varsel-arkiv:{warning.pk}",
                case_type=CASE_TYPE,
                case_id=warning.pk,
                case_title=_("Varsel om vurdering"),
                document_date=today,
            )
            if not warning.letter_ids:
                raise ValidationError(_("Brevet kunne ikke adresseres til noen av de foresatte."))
            warning.save(update_fields=["letter_ids"])
            audit_record(
                action=AuditAction.CREATE,
                event="assessment.warning.send",
                person_ids=[pid, *guardians],
                object_type="assessment.WrittenWarning",
                object_id=warning.pk,
                details={"kind": kind, "period": period, "letters": len(warning.letter_ids)},
            )
    except IntegrityError:  # the same warning sent concurrently
        _refuse(class_id=klass.pk, pupil_id=pid, message=_("Dette varselet er allerede sendt dette halvåret."))
    return warning


def class_warnings(*, klass_id: int) -> list[WrittenWarning]:
    """Return the warnings sent for pupils of the class, newest first."""
    return list(WrittenWarning.objects.filter(klass_id=klass_id).select_related("pupil").order_by("-sent_at"))
