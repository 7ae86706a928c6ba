"""Letters: queue (render + outbox row in one transaction), deliver to SvarUt, follow the status until it ends.

Other apps call ``letter_send``; the outbox delivers with ``letter_deliver`` and beat runs
``letters_poll_statuses``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from integrations.common.errors import IntegrationError, PermanentError
from integrations.letters.addressing import letter_recipient_for
from integrations.letters.rendering import letter_html, letter_pdf
from integrations.models import IntegrationRun, Letter, LetterState, LetterStatusChange
from integrations.outbox.registry import Delivery
from integrations.outbox.services import outbox_enqueue
from integrations.svarut.mapping import TERMINAL_STATUSES, Dokument, Forsendelse, Mottaker
from integrations.svarut.port import SvarUtPort
from oas import clock
from oas.audit.services import audit_record
from oas.errors import Conflict, NotFound, ValidationError
from oas.people.models import Person

logger = logging.getLogger(__name__)

OUTBOX_KIND = "svarut.send"
FAILED_STATUSES = frozenset({"AVVIST", "IKKE_LEVERT"})
FIRST_POLL_AFTER = dt.timedelta(seconds=60)
MAX_POLL_INTERVAL = dt.timedelta(hours=1)
POLL_BATCH = 100


def _filename(title: str) -> str:
    # SvarUt refuses * : " \ / < > | ? in filnavn; slugify keeps only letters, digits, - and _.
    return (slugify(title)[:80] or "brev") + ".pdf"


def _title_checked(*, title: str, idempotency_key: str) -> str:
    """The letter's title, stripped; a missing or too long title or key is refused (nothing written)."""
    title = (title or "").strip()
    if not title or len(title) > 1000:
        raise ValidationError(_("Brevet må ha en tittel (maks 1000 tegn)."), fields={"title": [_("Påkrevd.")]})
    if not idempotency_key or len(idempotency_key) > 100:
        raise ValidationError(
            _("Idempotensnøkkelen er SvarUts eksternReferanse og må ha 1–100 tegn."),
            fields={"idempotency_key": [_("1–100 tegn.")]},
        )
    return title


def _letter_store(
    *,
    person: Person,
    mottaker: Mottaker,
    digital_only: bool,
    title: str,
    template: str,
    context: dict[str, Any],
    case_ref: str,
    idempotency_key: str,
    organisation_number: str = "",
    audit_details: dict[str, Any],
) -> int:
    """Render the letter to PDF, store it and queue it for SvarUt in one transaction (with its audit record)."""
    html = letter_html(template=template, title=title, context={**context, "case_ref": case_ref}, mottaker=mottaker)
    pdf = letter_pdf(html)
    with transaction.atomic():
        letter = Letter(
            recipient=person,
            organisation_number=organisation_number,
            title=title,
            template=template,
            case_ref=case_ref[:200],
            ekstern_referanse=idempotency_key,
            mottaker=mottaker.as_json(),
            kun_digital_levering=digital_only,
            filename=_filename(title),
            pdf=pdf,
        )
        # Field checks only: the unique key and the check constraint are the database's (one query each per
        # row otherwise); the key was looked up by the caller and a new letter is queued, so neither can fail.
        letter.full_clean(validate_unique=False, validate_constraints=False)
        letter.save()
        outbox_enqueue(kind=OUTBOX_KIND, payload={"letter_id": letter.id}, idempotency_key=f"svarut:{idempotency_key}")
        audit_record(
            action="send",
            event="letter.queued",
            person_ids=[person.id],
            object_type="integrations.letter",
            object_id=letter.id,
            details={"template": template, "case_ref": case_ref, **audit_details},
        )
    return letter.id


def letter_send(
    *,
    recipient_person_id: int,
    title: str,
    template: str,
    context: dict[str, Any],
    case_ref: str = "",
    idempotency_key: str,
) -> int:
    """Render a letter to PDF and queue it for SvarUt; the same ``idempotency_key`` never sends twice."""
    title = _title_checked(title=title, idempotency_key=idempotency_key)
    existing = Letter.objects.filter(ekstern_referanse=idempotency_key).first()
    if existing is not None:
        if existing.recipient_id != recipient_person_id:
            raise Conflict(_("Idempotensnøkkelen %(key)s er brukt for et annet brev.") % {"key": idempotency_key})
        return existing.id
    person = Person.objects.filter(id=recipient_person_id).first()
    if person is None:
        raise NotFound(_("Mottakeren finnes ikke."))
    mottaker, digital_only = letter_recipient_for(person)
    return _letter_store(
        person=person,
        mottaker=mottaker,
        digital_only=digital_only,
        title=title,
        template=template,
        context=context,
        case_ref=case_ref,
        idempotency_key=idempotency_key,
        audit_details={"kun_digital_levering": digital_only},
    )


def letter_send_to_organisation(
    *,
    organisation_number: str,
    organisation_name: str,
    concerns_person_id: int,
    title: str,
    template: str,
    context: dict[str, Any],
    case_ref: str = "",
    idempotency_key: str,
) -> int:
    """Render a letter to an organisation (SvarUt to its organisasjonsnummer, digital only) and queue it.

    The letter concerns ``concerns_person_id`` (kept as its recipient for the audit trail) but is addressed only to
    the organisation: no person's address is in the address block. The same ``idempotency_key`` never sends twice.
    """
    title = _title_checked(title=title, idempotency_key=idempotency_key)
    if not (organisation_number.isdecimal() and len(organisation_number) == 9):
        raise ValidationError(
            _("Mottakerens organisasjonsnummer må ha ni sifre."), fields={"organisation_number": [_("Ni sifre.")]}
        )
    existing = Letter.objects.filter(ekstern_referanse=idempotency_key).first()
    if existing is not None:
        if (existing.recipient_id, existing.organisation_number) != (concerns_person_id, organisation_number):
            raise Conflict(_("Idempotensnøkkelen %(key)s er brukt for et annet brev.") % {"key": idempotency_key})
        return existing.id
    person = Person.objects.filter(id=concerns_person_id).first()
    if person is None:
        raise NotFound(_("Personen brevet gjelder finnes ikke."))
    mottaker = Mottaker(navn=organisation_name.strip()[:200] or organisation_number, digital_id=organisation_number)
    return _letter_store(
        person=person,
        mottaker=mottaker,
        digital_only=True,
        title=title,
        template=template,
        context=context,
        case_ref=case_ref,
        idempotency_key=idempotency_key,
        organisation_number=organisation_number,
        audit_details={"organisation": True},
    )


def _svarut_port() -> SvarUtPort:
    from integrations.svarut.client import get_svarut_port

    return get_svarut_port()


def letter_deliver(delivery: Delivery, *, port: SvarUtPort | None = None) -> dict[str, Any] | None:
    """Outbox handler: send the letter to SvarUt, once.

    SvarUt does not promise to de-duplicate ``eksternReferanse``: before a repeated attempt (an earlier one may
    have reached SvarUt before the worker died or the answer was lost) the reference is looked up, and a
    forsendelse found there is recorded instead of sending the letter a second time.
    """
    letter_id = delivery.payload.get("letter_id")
    if not isinstance(letter_id, int):
        raise PermanentError(f"svarut.send: payload uten letter_id: {delivery.payload!r}", system="svarut")
    letter = Letter.objects.filter(id=letter_id).first()
    if letter is None:
        logger.warning("svarut.send: letter %s vanished; nothing to deliver", letter_id)
        return {"skipped": "letter vanished"}
    if letter.forsendelse_id:
        return {"forsendelse_id": letter.forsendelse_id}
    _letter_check_protection(letter)
    forsendelse = Forsendelse(
        tittel=letter.title,
        mottaker=Mottaker.from_json(letter.mottaker),
        dokumenter=[Dokument(filnavn=letter.filename, content=bytes(letter.pdf))],
        ekstern_referanse=letter.ekstern_referanse,
        kun_digital_levering=letter.kun_digital_levering,
        korrelasjonsid=letter.case_ref[:100],
        forsendelsestype="OAS brev",
    )
    client = port or _svarut_port()
    try:
        forsendelse_id = _letter_already_sent(client, letter=letter, attempt=delivery.attempt) or client.send(
            forsendelse
        )
    except PermanentError as exc:
        letter_record_permanent_failure(letter_id=letter.id, error=exc)
        raise
    finally:
        if port is None:
            client.close()  # type: ignore[attr-defined]
    now = clock.now()
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(id=letter.id)
        if not letter.forsendelse_id:
            letter.forsendelse_id = forsendelse_id
            letter.state = LetterState.SENT
            letter.status = "MOTTATT"
            letter.status_changed_at = now
            letter.sent_at = now
            letter.next_poll_at = now + FIRST_POLL_AFTER
            letter.last_error = ""
            letter.save(
                update_fields=[
                    "forsendelse_id",
                    "state",
                    "status",
                    "status_changed_at",
                    "sent_at",
                    "next_poll_at",
                    "last_error",
                ]
            )
            LetterStatusChange.objects.get_or_create(letter=letter, status="MOTTATT", defaults={"changed_at": now})
            audit_record(
                action="send",
                event="letter.sent",
                person_ids=[letter.recipient_id],
                object_type="integrations.letter",
                object_id=letter.id,
                details={"forsendelse_id": forsendelse_id},
            )
    return {"forsendelse_id": forsendelse_id}


def _letter_already_sent(client: SvarUtPort, *, letter: Letter, attempt: int) -> str:
    """The forsendelse id of an earlier attempt that reached SvarUt, or "" (only asked when resending)."""
    if attempt <= 1:
        return ""
    found = client.find_by_ekstern_referanse(letter.ekstern_referanse)
    if found:
        logger.info("svarut.send: %s already reached SvarUt as %s; not resending", letter.ekstern_referanse, found[0])
        return found[0]
    return ""


def _letter_check_protection(letter: Letter) -> None:
    """Refuse to send a letter made before the recipient got adressebeskyttelse: its PDF may hold the old address."""
    if letter.organisation_number:
        return  # addressed to an organisation: no person's address is on it
    recipient = Person.objects.get(id=letter.recipient_id)
    if not recipient.has_protected_address:
        return
    try:
        current, _digital_only = letter_recipient_for(recipient)
    except ValidationError:
        current = None
    if current is None or current != Mottaker.from_json(letter.mottaker):
        error = PermanentError(
            _(
                "Mottakeren har fått adressebeskyttelse etter at brevet ble laget; brevet er stoppet og må lages på nytt."
            ),
            system="svarut",
        )
        letter_record_permanent_failure(letter_id=letter.id, error=error)
        raise error


@dataclass
class PollResult:
    polled: int = 0
    changed: int = 0
    finished: int = 0
    errors: list[str] = field(default_factory=list)


def _next_poll(polls: int, now: dt.datetime) -> dt.datetime:
    return now + min(FIRST_POLL_AFTER * (2 ** min(polls, 10)), MAX_POLL_INTERVAL)


def letters_poll_statuses(*, port: SvarUtPort | None = None, limit: int = 1000) -> PollResult:
    """Ask SvarUt (``status-sok``) about letters not yet in a terminal state; keep every change.

    A failing SvarUt never raises out of here: the error is recorded and the next run tries again.
    """
    started = clock.now()
    result = PollResult()
    due = list(
        Letter.objects.filter(state=LetterState.SENT, next_poll_at__lte=started)
        .order_by("next_poll_at")
        .values_list("id", "forsendelse_id")[:limit]
    )
    client = port or (_svarut_port() if due else None)
    try:
        for offset in range(0, len(due), POLL_BATCH):
            batch = {fid: lid for lid, fid in due[offset : offset + POLL_BATCH]}
            try:
                statuses = client.status_search(list(batch)) if client is not None else []
            except IntegrationError as exc:
                result.errors.append(exc.message)
                logger.warning("svarut status-sok failed: %s", exc.message)
                break
            by_id = {s.id: s for s in statuses if s.id in batch}
            for forsendelse_id, letter_id in batch.items():
                result.polled += 1
                status = by_id.get(forsendelse_id)
                changed, finished = _letter_apply_status(
                    letter_id=letter_id,
                    status=status.status if status else None,
                    changed_at=status.siste_status_endring if status else None,
                )
                result.changed += int(changed)
                result.finished += int(finished)
    finally:
        if port is None and client is not None:
            client.close()  # type: ignore[attr-defined]
    IntegrationRun.objects.create(
        system="svarut",
        job="status_poll",
        started_at=started,
        finished_at=clock.now(),
        ok=not result.errors,
        counts={"polled": result.polled, "changed": result.changed, "finished": result.finished},
        error="\n".join(result.errors)[:2000],
    )
    return result


@transaction.atomic
def _letter_apply_status(*, letter_id: int, status: str | None, changed_at: dt.datetime | None) -> tuple[bool, bool]:
    letter = Letter.objects.select_for_update().filter(id=letter_id).first()
    now = clock.now()
    if letter is None or letter.state != LetterState.SENT:
        return False, False
    changed = finished = False
    fields = ["polls", "next_poll_at"]
    letter.polls += 1
    if status is not None and status != letter.status:
        changed = True
        LetterStatusChange.objects.get_or_create(
            letter=letter, status=status, defaults={"changed_at": changed_at or now}
        )
        letter.status = status
        letter.status_changed_at = changed_at or now
        fields += ["status", "status_changed_at"]
    if letter.status in TERMINAL_STATUSES:
        finished = True
        letter.state = LetterState.FAILED if letter.status in FAILED_STATUSES else LetterState.DONE
        letter.next_poll_at = None
        fields.append("state")
        if letter.state == LetterState.FAILED:
            letter.last_error = f"SvarUt: {letter.status}"
            fields.append("last_error")
    else:
        letter.next_poll_at = _next_poll(letter.polls, now)
    letter.save(update_fields=fields)
    return changed, finished


def letters_mark_failure_handled(*, letter_ids: list[int]) -> int:
    """Record that staff followed up failed letters (they leave the administrators' arbeidsflate)."""
    return Letter.objects.filter(id__in=letter_ids, state=LetterState.FAILED, failure_handled_at__isnull=True).update(
        failure_handled_at=clock.now()
    )


def letter_record_permanent_failure(*, letter_id: int, error: PermanentError) -> None:
    """Mark a letter as failed when SvarUt refused it outright (the outbox row becomes a dead letter)."""
    Letter.objects.filter(id=letter_id, state=LetterState.QUEUED).update(
        state=LetterState.FAILED, last_error=error.message[:2000]
    )
