"""Leave (permisjon, opplæringslova § 2-2): guardians apply, the principal decides within the municipality's rule.

The decision is an enkeltvedtak: deciding writes an outbox row (``LEAVE_LETTER_KIND``) in its transaction; the outbox's
worker renders the letter to every guardian who may know the school, sends it through SvarUt and archives it on the
pupil's case (``leave_decision_deliver``). Granted leave shows on the attendance list and pre-fills it.

Writes: ``leave_apply``, ``leave_decide``. Reads: ``leave_days_used``, ``leave_pupils_on``, ``leave_applications_*``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from attendance.public import is_expected_day
from messaging.public import notify
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import access_object
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on, overlapping
from school import selectors
from school.models import LeaveApplication, LeaveStatus, SchoolYear

logger = logging.getLogger(__name__)

LEAVE_LETTER_KIND = "school.leave_decision"
CASE_TYPE = "school.leave"
ACTIVE = (LeaveStatus.PENDING, LeaveStatus.GRANTED)
MAX_DAYS_ASKED = 200  # a longer period is a typing error, not leave


def school_days_between(*, first: dt.date, last: dt.date) -> int:
    """Return the school days (weekdays that are not public holidays) from ``first`` to ``last`` inclusive."""
    return sum(1 for n in range((last - first).days + 1) if is_expected_day(first + dt.timedelta(days=n)))


def leave_days_used(*, pupil_id: int, school_year: SchoolYear, statuses: tuple[str, ...] = ACTIVE) -> int:
    """Return the school days of the pupil's leave in the school year (pending and granted by default)."""
    total = LeaveApplication.objects.filter(pupil_id=pupil_id, school_year=school_year, status__in=statuses).aggregate(
        n=Sum("school_days")
    )["n"]
    return int(total or 0)


def leave_pupils_on(*, pupil_ids: list[int], day: dt.date) -> set[int]:
    """Return the pupils with granted leave on ``day``."""
    return set(
        LeaveApplication.objects.filter(
            active_on(day, fields=DATED), pupil_id__in=pupil_ids, status=LeaveStatus.GRANTED
        ).values_list("pupil_id", flat=True)
    )


def leave_applications_for_user(*, user: Any) -> QuerySet[LeaveApplication]:
    """Return the leave applications the user may read (guardians: their children's), newest first."""
    return access_queryset(
        user=user, action="school.leave.read", queryset=LeaveApplication.objects.select_related("pupil", "school")
    ).order_by("-created_at")


def leave_applications_of_school(*, school: OrgUnit, status: str | None = None) -> list[LeaveApplication]:
    """Return the school's applications (pending first, then the latest decisions)."""
    qs = LeaveApplication.objects.filter(school=school).select_related("pupil", "applied_by")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "start_date")[:200])


def _date(value: dt.date | str | None) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _refuse(*, event: str, message: str, person_ids: list[int], field: str = "", **details: Any) -> None:
    """Audit a refusal concerning a child (outside any transaction, so it survives) and raise the error."""
    audit_record(
        action=AuditAction.DENIED,
        event=event,
        person_ids=person_ids,
        object_type="school.LeaveApplication",
        details={"reason": message, **details},
    )
    raise ValidationError(message, code="leave_refused", fields={field: [message]} if field else None)


def _acting_person_id(user: Any) -> int | None:
    return getattr(getattr(user, "account", None), "person_id", None)


def leave_apply(
    *, user: Any, child_id: int | str, start_date: dt.date | str | None, end_date: dt.date | str | None, reason: str
) -> LeaveApplication:
    """Apply for leave for a pupil (a guardian in the portal).

    Refused (nothing written, refusal audit-logged): a child the user may not apply for (404), missing or reversed
    dates, a period in the past or across school years, a period without school days, a child who is not a pupil
    then, leave that overlaps an earlier application, or more school days in the year than the municipality allows.
    """
    child = access_object(user=user, queryset=Person.objects.all(), id=child_id, action="school.leave.apply")
    event, who = "school.leave.apply.denied", [child.pk]
    first, last = _date(start_date), _date(end_date)
    reason = (reason or "").strip()
    if first is None or last is None:
        _refuse(event=event, person_ids=who, field="fra", message=_("Skriv inn gyldige datoer for fra og til."))
    assert first is not None and last is not None
    if last < first:
        _refuse(event=event, person_ids=who, field="til", message=_("Til-datoen kan ikke være før fra-datoen."))
    if first < clock.today():
        _refuse(event=event, person_ids=who, field="fra", message=_("Permisjon kan ikke søkes for dager som har vært."))
    if not reason or len(reason) > 2000:
        _refuse(event=event, person_ids=who, field="begrunnelse", message=_("Skriv en begrunnelse (høyst 2000 tegn)."))
    placement = (
        Placement.objects.filter(active_on(first, fields=DATED), child=child, service=Service.SCHOOL)
        .select_related("unit__municipality")
        .first()
    )
    if placement is None:
        _refuse(event=event, person_ids=who, field="fra", message=_("Barnet er ikke elev i denne perioden."))
    assert placement is not None
    school = placement.unit
    year = SchoolYear.objects.filter(
        municipality=school.municipality, start_date__lte=first, end_date__gte=last
    ).first()
    if year is None:
        _refuse(event=event, person_ids=who, field="til", message=_("Perioden må ligge innenfor ett skoleår."))
    assert year is not None
    days = school_days_between(first=first, last=last) if (last - first).days < 366 else MAX_DAYS_ASKED + 1
    if days == 0:
        _refuse(event=event, person_ids=who, field="fra", message=_("Det er ingen skoledager i perioden."))
    applicant = _acting_person_id(user)
    if applicant is None:
        _refuse(event=event, person_ids=who, message=_("Bare foresatte som er logget inn kan søke permisjon."))
    assert applicant is not None
    limit = selectors.school_settings_for(municipality_id=school.municipality_id).leave_max_school_days
    with transaction.atomic():
        # One application at a time per pupil: two guardians applying at once are checked one after the other.
        Person.objects.select_for_update().filter(pk=child.pk).first()
        overlap = LeaveApplication.objects.filter(
            overlapping(first, last, fields=DATED), pupil=child, status__in=ACTIVE
        ).first()
        used = leave_days_used(pupil_id=child.pk, school_year=year)
        problem, field = "", "fra"
        if overlap is not None:
            problem = _("Barnet har allerede søkt permisjon %(first)s–%(last)s. Periodene kan ikke overlappe.") % {
                "first": overlap.start_date.strftime("%d.%m.%Y"),
                "last": overlap.end_date.strftime("%d.%m.%Y"),
            }
        elif used + days > limit:
            problem = _(
                "Kommunen tillater høyst %(limit)s skoledager permisjon per skoleår. Barnet har allerede "
                "%(used)s, og denne søknaden gjelder %(days)s."
            ) % {"limit": limit, "used": used, "days": days}
            field = "til"
        if not problem:
            application = LeaveApplication(
                pupil=child,
                school=school,
                school_year=year,
                applied_by_id=applicant,
                start_date=first,
                end_date=last,
                school_days=days,
                reason=reason,
                created_at=clock.now(),
            )
            application.full_clean()
            application.save()
            audit_record(
                action=AuditAction.CREATE,
                event="school.leave.apply",
                person_ids=[child.pk],
                object_type="school.LeaveApplication",
                object_id=application.pk,
                details={"days": days, "from": first.isoformat(), "to": last.isoformat()},
            )
            return application
    _refuse(event=event, person_ids=who, field=field, message=problem, used=used, days=days)
    raise AssertionError  # unreachable: _refuse raises


def leave_decide(*, user: Any, application_id: int | str, grant: bool, note: str = "") -> LeaveApplication:
    """Grant or refuse a pending leave application (the principal); the enkeltvedtak goes out through the outbox.

    Refused (nothing written, audit-logged): an application the user may not decide (404), one already decided,
    a refusal without reasons (forvaltningsloven § 24), a grant that would exceed the municipality's limit.
    """
    from integrations.public import outbox_enqueue

    application = access_object(
        user=user,
        queryset=LeaveApplication.objects.select_related("pupil", "school__municipality", "school_year"),
        id=application_id,
        action="school.leave.decide",
    )
    event, who = "school.leave.decide.denied", [application.pupil_id]
    note = (note or "").strip()[:2000]
    with transaction.atomic():
        application = (
            LeaveApplication.objects.select_for_update()
            .select_related("pupil", "school__municipality", "school_year")
            .get(pk=application.pk)
        )
        limit = selectors.school_settings_for(municipality_id=application.school.municipality_id).leave_max_school_days
        granted = leave_days_used(
            pupil_id=application.pupil_id, school_year=application.school_year, statuses=(LeaveStatus.GRANTED,)
        )
        problem = ""
        if application.status != LeaveStatus.PENDING:
            problem = _("Søknaden er allerede avgjort.")
        elif not grant and not note:
            problem = _("Skriv en begrunnelse for avslaget.")
        elif grant and granted + application.school_days > limit:
            problem = _(
                "Innvilgelsen ville gi %(total)s skoledager permisjon i skoleåret; kommunen tillater høyst %(limit)s."
            ) % {"total": granted + application.school_days, "limit": limit}
        if not problem:
            application.status = LeaveStatus.GRANTED if grant else LeaveStatus.REFUSED
            application.decided_at = clock.now()
            application.decided_by_user_id = getattr(user, "pk", None)
            application.decision_note = note
            application.save(update_fields=["status", "decided_at", "decided_by_user_id", "decision_note"])
            outbox_enqueue(
                kind=LEAVE_LETTER_KIND,
                payload={"application_id": application.pk},
                idempotency_key=f"school-permisjon-vedtak:{application.pk}",
            )
            guardians = selectors.pupil_guardian_ids(pupil_ids=[application.pupil_id], day=clock.today())
            notify(
                person_ids=guardians.get(application.pupil_id, []),
                key=f"school.leave.{application.pk}",
                title=_("Vedtak om permisjon for %(child)s") % {"child": application.pupil.first_name},
                url=reverse("school:portal_leave"),
                unit_id=application.school_id,
            )
            audit_record(
                action=AuditAction.UPDATE,
                event="school.leave.decide",
                person_ids=[application.pupil_id],
                object_type="school.LeaveApplication",
                object_id=application.pk,
                details={"status": application.status},
            )
            return application
    _refuse(event=event, person_ids=who, message=problem, application=application.pk)
    raise AssertionError  # unreachable: _refuse raises


def leave_decision_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``LEAVE_LETTER_KIND``): the enkeltvedtak to the guardians through SvarUt, then archived."""
    from integrations.public import PermanentError

    application_id = delivery.payload.get("application_id")
    if not isinstance(application_id, int):
        raise PermanentError(f"{LEAVE_LETTER_KIND}: payload uten application_id: {delivery.payload!r}")
    return {"letters": leave_decision_letter_send(application_id=application_id)}


def leave_decision_letter_send(*, application_id: int) -> int:
    """Send the decision of one leave application to the guardians and archive it (idempotent per key)."""
    from integrations.public import decision_letters_send

    application = LeaveApplication.objects.select_related("pupil", "school").filter(pk=application_id).first()
    if application is None or application.status == LeaveStatus.PENDING:
        return 0
    child = application.pupil
    period = {
        "child": child.full_name,
        "school": application.school.name,
        "first": application.start_date.strftime("%d.%m.%Y"),
        "last": application.end_date.strftime("%d.%m.%Y"),
        "days": application.school_days,
    }
    if application.status == LeaveStatus.GRANTED:
        title = _("Vedtak om permisjon – %(child)s") % period
        paragraphs = [
            _(
                "%(child)s får permisjon fra opplæringen ved %(school)s fra %(first)s til %(last)s "
                "(%(days)s skoledager), jf. opplæringslova § 2-2."
            )
            % period,
            _("Foreldrene har ansvar for at eleven tar igjen det han eller hun går glipp av i permisjonstiden."),
        ]
    else:
        title = _("Vedtak om avslag på permisjon – %(child)s") % period
        paragraphs = [
            _("Søknaden om permisjon for %(child)s fra %(first)s til %(last)s er avslått, jf. opplæringslova § 2-2.")
            % period
        ]
    if application.decision_note:
        paragraphs.append(_("Begrunnelse: %(note)s") % {"note": application.decision_note})
    sent = decision_letters_send(
        child_person_id=child.pk,
        guardian_ids=selectors.pupil_guardian_ids(pupil_ids=[child.pk], day=clock.today()).get(child.pk, []),
        title=title,
        template="letters/vedtak.html",
        context={"paragraphs": paragraphs},
        case_ref=f"PERMISJON-{application.pk}",
        key=f"school-permisjon:{application.pk}",
        archive_key=f"school-permisjon-arkiv:{application.pk}",
        case_type=CASE_TYPE,
        case_id=application.pk,
        case_title=_("Permisjon fra opplæringen"),
        document_date=(application.decided_at or clock.now()).date(),
    )
    return len(sent)
