"""Decision letters (enkeltvedtak) for admission: their content, and the hook where sending goes.

Forskrift om saksbehandlingsregler ved opptak i barnehage § 3 (written decision with reasons and information about
the right to appeal), § 4 (reasons when neither first nor second choice was given), § 9 (appeal within 3 weeks).

Sending through SvarUt and archiving in Noark 5 belong to the integration backbone (``integrations/``). Until its
``letter_send`` lands, :func:`decision_letter_dispatch` is the single place to call it from; letters are stored
as ``DecisionLetter`` rows with ``sent_at`` empty so nothing is lost in the meantime.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kindergarten.models import DecisionLetter

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
) -> LetterContent:
    """Build the content of an admission decision: the outcome, the reasons and how to appeal."""
    deadline = appeal_deadline(decided_on=decided_on)
    if unit_name is not None and start_date is not None and offer_deadline is not None:
        title = f"Vedtak om tildeling av barnehageplass – {child_name}"
        paragraphs = [
            f"{child_name} har fått tilbud om plass i {unit_name} fra {start_date:%d.%m.%Y}.",
            f"Svar på tilbudet innen {offer_deadline:%d.%m.%Y}. Svarer dere ikke innen fristen, går plassen "
            "til neste på ventelisten.",
        ]
    else:
        title = f"Vedtak om avslag på søknad om barnehageplass – {child_name}"
        paragraphs = [f"{child_name} har ikke fått plass i dette opptaket, og står på venteliste."]
    may_appeal = choice_number is None or choice_number > 2
    if may_appeal:
        appeal = (
            "Dere kan klage på vedtaket fordi barnet ikke fikk plass i sitt første eller andre ønske "
            f"(forskrift om saksbehandlingsregler ved opptak i barnehage § 6). Klagefristen er tre uker, til og med "
            f"{deadline:%d.%m.%Y}. Klagen sendes kommunen, som sender den videre til klagenemnda hvis vedtaket "
            "ikke endres."
        )
    else:
        appeal = "Barnet har fått plass i sitt første eller andre ønske, og vedtaket kan derfor ikke påklages."
    return LetterContent(
        title=title,
        paragraphs=paragraphs,
        reasons=explanation,
        appeal_information=appeal,
        appeal_deadline=deadline,
        recipient_ids=recipient_ids,
    )


def decision_letter_dispatch(*, letter: DecisionLetter) -> None:
    """Hand a stored letter to the outbox for SvarUt and the Noark 5 archive.

    Integration point for ``integrations.letters.services.letter_send`` (helper C2), once it is declared ready:
    for each id in ``letter.recipient_ids`` call ``letter_send(recipient_person_id=..., title=letter.title,
    template="letters/kindergarten_decision.html", context=letter.body, case_ref=<the child's Noark case>,
    idempotency_key=f"kg-vedtak:{letter.pk}:{recipient_id}")`` and set ``sent_at``. ``letter_send`` renders the
    PDF synchronously, so with thousands of letters per publish the call belongs in an on-commit Celery task
    per letter (the ``DecisionLetter`` row is the durable record), not inside the publish transaction.
    Until then this is a deliberate no-op: letters stay stored with ``sent_at`` empty and can be sent later.
    """
    return None
