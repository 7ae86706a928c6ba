"""SFO decision letters: one per application after publishing, to every guardian through the SvarUt outbox and
archived (journalpost U) on the child's SFO case. Publishing writes one outbox row per application
(``DECISION_LETTERS_KIND``) in its transaction; the outbox's worker renders and sends them (``sfo_decision_letters_deliver``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from admission import services as admission_services
from integrations.public import PermanentError, decision_letters_send
from oas import clock
from sfo import selectors
from sfo.admission_rules import RULES
from sfo.models import SfoApplication, SfoApplicationStatus

logger = logging.getLogger(__name__)

TEMPLATE = "letters/sfo_decision.html"
CASE_TYPE = "sfo.application"


DECISION_LETTERS_KIND = RULES.letter_kind


def sfo_decision_letters_outbox(*, application_ids: list[int]) -> None:
    """Write one outbox row per application in the caller's (the publishing) transaction."""
    admission_services.decision_letters_outbox(rules=RULES, ids=application_ids)


def sfo_decision_letters_deliver(delivery: Any) -> dict[str, Any]:
    """Outbox handler (``DECISION_LETTERS_KIND``): letters and archive entry of one application (idempotent)."""
    application_id = delivery.payload.get("application_id")
    if not isinstance(application_id, int):
        raise PermanentError(f"{DECISION_LETTERS_KIND}: payload uten application_id: {delivery.payload!r}")
    return {"letters": sfo_decision_letter_send(application_id=application_id)}


def sfo_decision_letter_send(*, application_id: int) -> int:
    """Send the decision of one SFO application to every guardian and archive it; return the letters sent."""
    application = SfoApplication.objects.select_related("child", "unit", "round").filter(pk=application_id).first()
    if application is None:
        return 0
    child = application.child
    offered = application.status in (SfoApplicationStatus.OFFERED, SfoApplicationStatus.ACCEPTED)
    if offered:
        title = _("Vedtak om SFO-plass – %(child)s") % {"child": child.full_name}
        paragraphs = [
            _("%(child)s har fått tilbud om %(place_type)s i %(unit)s fra %(start_date)s.")
            % {
                "child": child.full_name,
                "place_type": application.get_place_type_display().lower(),
                "unit": application.unit.name,
                "start_date": application.start_date.strftime("%d.%m.%Y"),
            },
            _("Svar på tilbudet innen %(deadline)s.") % {"deadline": application.offer_deadline.strftime("%d.%m.%Y")}
            if application.offer_deadline
            else "",
        ]
    else:
        title = _("Vedtak om venteliste til SFO – %(child)s") % {"child": child.full_name}
        paragraphs = [
            _("%(child)s har ikke fått plass i %(unit)s nå og står som nummer %(position)s på ventelisten.")
            % {"child": child.full_name, "unit": application.unit.name, "position": application.waiting_position or "–"}
        ]
    context = {
        "paragraphs": [p for p in paragraphs if p],
        "reasons": application.explanation,
        "appeal": _("Dere kan klage på vedtaket innen tre uker fra dere mottok det (forvaltningsloven §§ 28 og 29)."),
    }
    sent = decision_letters_send(
        child_person_id=child.pk,
        guardian_ids=selectors.sfo_guardians_of(child=child),
        title=title,
        template=TEMPLATE,
        context=context,
        case_ref=f"SFO-{application.pk}",
        key=f"sfo-vedtak:{application.pk}",
        archive_key=f"sfo-vedtak-arkiv:{application.pk}",
        case_type=CASE_TYPE,
        case_id=application.pk,
        case_title=_("SFO-plass"),
        document_date=clock.today(),
    )
    return len(sent)
