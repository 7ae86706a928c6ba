"""Decision letters (enkeltvedtak) for admission: their content, and the hook where sending goes.

Forskrift om saksbehandlingsregler ved opptak i barnehage § 3 (written decision with reasons and information about
the right to appeal), § 4 (reasons when neither first nor second choice was given), § 9 (appeal within 3 weeks).

Publishing stores one ``DecisionLetter`` row per application (the durable record) and, in the same transaction, one
outbox row per letter (:func:`decision_letters_outbox`). The outbox's worker renders the PDF for each guardian with
``integrations.public.letter_send`` (outbox → SvarUt) and archives it with
``integrations.public.archive_document`` (outbox → Noark 5, journalpost U on the child's case).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admission import services as admission_services
from integrations.public import Delivery, PermanentError, archive_document, letter_pdf, letter_pdf_get, letter_send
from kindergarten.admission_rules import RULES
from kindergarten.models import DecisionLetter
from oas import clock
from oas.errors import ValidationError

logger = logging.getLogger(__name__)

APPEAL_WEEKS = 3


@dataclass(frozen=True)
class LetterContent:
    title: str
    paragraphs: list[str]
    reasons: str
    appeal_information: str
    appeal_deadline: dt.date
    recipient_ids: list[int] = field(default_factory=list)

    def as_body(self) -> dict[str, object]:
        return {"paragraphs": self.paragraphs, "reasons": self.reasons, "appeal": self.appeal_information}


def appeal_deadline(*, decided_on: dt.date) -> dt.date:
    """Return the last day to appeal a decision made on ``decided_on`` (3 weeks)."""
    return decided_on + dt.timedelta(weeks=APPEAL_WEEKS)


def decision_letter_build(
    *,
    child_name: str,
    unit_name: str | None,
    start_date: dt.date | None,
    offer_deadline: dt.date | None,
    choice_number: int | None,  # 1 = first choice; None when the place was not one of the choices
    explanation: str,
    decided_on: dt.date,
    recipient_ids: list[int],
    waiting: bool = True,  # False when the child cannot have a place at all (school age, school pupil)
) -> LetterContent:
    """Build the content of an admission decision: the outcome, the reasons and how to appeal."""
    deadline = appeal_deadline(decided_on=decided_on)
    if unit_name is not None and start_date is not None and offer_deadline is not None:
        title = _("Vedtak om tildeling av barnehageplass – %(child)s") % {"child": child_name}
        paragraphs = [
            _("%(child)s har fått tilbud om plass i %(unit)s fra %(start_date)s.")
            % {"child": child_name, "unit": unit_name, "start_date": start_date.strftime("%d.%m.%Y")},
            _(
                "Svar på tilbudet innen %(deadline)s. Svarer dere ikke innen fristen, går plassen "
                "til neste på ventelisten."
            )
            % {"deadline": offer_deadline.strftime("%d.%m.%Y")},
        ]
    else:
        title = _("Vedtak om avslag på søknad om barnehageplass – %(child)s") % {"child": child_name}
        paragraphs = [
            _("%(child)s har ikke fått plass i dette opptaket, og står på venteliste.") % {"child": child_name}
            if waiting
            else _("%(child)s kan ikke få barnehageplass.") % {"child": child_name}
        ]
    may_appeal = choice_number is None or choice_number > 2
    if may_appeal:
        appeal = _(
            "Dere kan klage på vedtaket fordi barnet ikke fikk plass i sitt første eller andre ønske "
            "(forskrift om saksbehandlingsregler ved opptak i barnehage § 6). Klagefristen er tre uker, til og med "
            "%(deadline)s. Klagen sendes kommunen, som sender den videre til klagenemnda hvis vedtaket "
            "ikke endres."
        ) % {"deadline": deadline.strftime("%d.%m.%Y")}
    else:
        appeal = _("Barnet har fått plass i sitt første eller andre ønske, og vedtaket kan derfor ikke påklages.")
    return LetterContent(
        title=title,
        paragraphs=paragraphs,
        reasons=explanation,
        appeal_information=appeal,
        appeal_deadline=deadline,
        recipient_ids=recipient_ids,
    )


def appeal_forwarded_letter_build(
    *, child_name: str, reason: str, decision_text: str, decided_on: dt.date, recipient_ids: list[int]
) -> LetterContent:
    """Build the letter that tells the guardians the appeal was not upheld and has gone to the klageinstans.

    Forskrift om saksbehandlingsregler ved opptak i barnehage § 8: the municipality's klagenemnd decides appeals
    the municipality does not uphold; its decision is final (forvaltningsloven § 28 tredje ledd).
    """
    title = _("Klagen er sendt til klagenemnda – %(child)s") % {"child": child_name}
    paragraphs = [
        _(
            "Kommunen har vurdert klagen på vedtaket om barnehageplass for %(child)s og opprettholder vedtaket. "
            "Klagen er derfor sendt til kommunens klagenemnd, som er klageinstans, for endelig avgjørelse."
        )
        % {"child": child_name},
        _("Klagen: %(reason)s") % {"reason": reason},
    ]
    return LetterContent(
        title=title,
        paragraphs=paragraphs,
        reasons=decision_text,
        appeal_information=_("Dere får klagenemndas vedtak skriftlig. Vedtaket i klagenemnda kan ikke påklages."),
        appeal_deadline=decided_on,
        recipient_ids=recipient_ids,
    )


def appeal_upheld_letter_build(
    *,
    child_name: str,
    unit_name: str,
    start_date: dt.date,
    offer_deadline: dt.date,
    decision_text: str,
    decided_on: dt.date,
    recipient_ids: list[int],
) -> LetterContent:
    """Build the new decision after an upheld appeal (medhold): the place the municipality now offers."""
    content = decision_letter_build(
        child_name=child_name,
        unit_name=unit_name,
        start_date=start_date,
        offer_deadline=offer_deadline,
        choice_number=1,  # the place the appeal asked for: the new decision cannot be appealed on that ground
        explanation=decision_text,
        decided_on=decided_on,
        recipient_ids=recipient_ids,
    )
    return LetterContent(
        title=_("Klagen har fått medhold – %(child)s") % {"child": child_name},
        paragraphs=[_("Kommunen har gitt klagen medhold og endret vedtaket."), *content.paragraphs],
        reasons=content.reasons,
        appeal_information=content.appeal_information,
        appeal_deadline=content.appeal_deadline,
        recipient_ids=recipient_ids,
    )


DECISION_TEMPLATE = "letters/kindergarten_decision.html"
APPLICATION_TEMPLATE = "letters/kindergarten_application.html"
CASE_TYPE = "kindergarten.application"
CASE_TITLE = gettext_lazy("Barnehageplass")


def case_ref(*, application_id: int) -> str:
    """Our reference on letters about an application (the archive's saksmappe is per child and case type)."""
    return f"BHG-{application_id}"


DECISION_LETTER_KIND = RULES.letter_kind


def decision_letters_outbox(*, letter_ids: list[int]) -> None:
    """Write one outbox row per stored letter in the caller's (the publishing or deciding) transaction."""
    admission_services.decision_letters_outbox(rules=RULES, ids=letter_ids)


def decision_letter_deliver(delivery: Delivery) -> dict[str, Any]:
    """Outbox handler (``DECISION_LETTER_KIND``): send and archive one stored decision letter (idempotent)."""
    letter_id = delivery.payload.get("letter_id")
    if not isinstance(letter_id, int):
        raise PermanentError(f"{DECISION_LETTER_KIND}: payload uten letter_id: {delivery.payload!r}")
    return {"sent": decision_letter_send(letter_id=letter_id)}


def decision_letter_send(*, letter_id: int) -> bool:
    """Send a stored decision letter to every guardian through SvarUt and archive it (journalpost U).

    Idempotent: ``letter_send`` and ``archive_document`` return the existing rows for the same keys, so a task
    that runs twice never sends twice. Returns whether the letter counts as sent.
    """
    letter = DecisionLetter.objects.select_related("application", "offer").filter(pk=letter_id).first()
    if letter is None or letter.sent_at is not None:
        return letter is not None
    application = letter.application
    ref = case_ref(application_id=application.pk)
    context = {**letter.body, "appeal_deadline": letter.appeal_deadline}
    sent_ids: list[int] = []
    # One transaction per letter (a savepoint per guardian): a killed worker leaves nothing half-written, and
    # one commit instead of one per guardian plus one for the archive.
    with transaction.atomic():
        for recipient_id in letter.recipient_ids:
            try:
                with transaction.atomic():
                    sent_ids.append(
                        letter_send(
                            recipient_person_id=recipient_id,
                            title=letter.title,
                            template=DECISION_TEMPLATE,
                            context=context,
                            case_ref=ref,
                            idempotency_key=f"kg-vedtak:{letter.pk}:{recipient_id}",
                        )
                    )
            except ValidationError as exc:  # e.g. neither fødselsnummer nor address: the others still get theirs
                logger.warning("kindergarten: letter %s not sent to %s: %s", letter.pk, recipient_id, exc)
        if sent_ids:
            pdf = letter_pdf_get(letter_id=sent_ids[0])
            archive_document(
                child_person_id=application.child_id,
                case_type=CASE_TYPE,
                case_id=application.pk,
                case_title=str(CASE_TITLE),
                journalposttype="U",
                title=letter.title,
                pdf=pdf,
                document_date=letter.created_at.date(),
                idempotency_key=f"kg-vedtak-arkiv:{letter.pk}",
                filename="vedtak.pdf",
                correspondent_person_id=letter.recipient_ids[0],
            )
        if letter.offer is not None:
            from messaging.public import notify

            notify(
                person_ids=letter.recipient_ids,
                key=f"kg-tilbud:{letter.offer_id}",
                title=_("Tilbud om barnehageplass – svar innen %(deadline)s")
                % {"deadline": letter.offer.deadline.strftime("%d.%m.%Y")},
                url=reverse("kindergarten_pages:portal_application", args=[application.pk]),
            )
        DecisionLetter.objects.filter(pk=letter.pk, sent_at__isnull=True).update(sent_at=clock.now())
    return bool(sent_ids)


APPLICATION_ARCHIVE_KIND = "kindergarten.application_archive"


def application_archive_deliver(delivery: Delivery) -> dict[str, Any]:
    """Outbox handler (``APPLICATION_ARCHIVE_KIND``): archive the submitted application (idempotent by its key)."""
    application_id = delivery.payload.get("application_id")
    if not isinstance(application_id, int):
        raise PermanentError(f"{APPLICATION_ARCHIVE_KIND}: payload uten application_id: {delivery.payload!r}")
    return {"archive_record_id": application_archive(application_id=application_id)}


def application_archive(*, application_id: int) -> int | None:
    """Archive a submitted application as journalpost I on the child's case; return the archive record id."""
    from kindergarten.models import Application

    application = (
        Application.objects.select_related("child", "applicant", "round")
        .prefetch_related("choices__unit", "grounds")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    child = application.child
    title = _("Søknad om barnehageplass – %(child)s") % {"child": child.full_name}
    paragraphs = [
        _("Søker: %(applicant)s. Mottatt %(received)s.")
        % {
            "applicant": application.applicant.full_name,
            "received": application.submitted_at.strftime("%d.%m.%Y %H:%M"),
        },
        _("Opptak: %(round)s. Ønsket oppstart %(start_date)s, plasstørrelse %(size)s (%(size_kind)s).")
        % {
            "round": application.round.name,
            "start_date": application.wanted_start_date.strftime("%d.%m.%Y"),
            "size": application.size_value,
            "size_kind": application.get_size_kind_display(),
        },
        _("Ønsker: %(choices)s")
        % {"choices": ", ".join(f"{c.rank}. {c.unit.name}" for c in application.choices.order_by("rank"))},
    ]
    grounds = [g.get_kind_display() for g in application.grounds.all()]
    if grounds:
        paragraphs.append(_("Prioriteringsgrunnlag: %(grounds)s") % {"grounds": ", ".join(str(g) for g in grounds)})
    html = render_to_string(
        APPLICATION_TEMPLATE,
        {
            "title": title,
            "paragraphs": paragraphs,
            "mottaker": {"navn": "Oppvekst"},
            "letter_date": application.submitted_at.date(),
            "sender": {"name": application.applicant.full_name, "address": ""},
            "case_ref": case_ref(application_id=application.pk),
        },
    )
    with transaction.atomic():
        return archive_document(
            child_person_id=child.pk,
            case_type=CASE_TYPE,
            case_id=application.pk,
            case_title=str(CASE_TITLE),
            journalposttype="I",
            title=title,
            pdf=letter_pdf(html),
            document_date=application.submitted_at.date(),
            idempotency_key=f"kg-soknad-arkiv:{application.pk}",
            filename="soknad.pdf",
            correspondent_person_id=application.applicant_id,
        )
