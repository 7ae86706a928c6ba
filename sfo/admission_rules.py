"""SFO's rules for the shared admission workflow (``admission.services``): one programme per SFO at the child's
school, the youngest first; the decision letter is rendered from the application itself."""

from __future__ import annotations

from django.utils.translation import gettext as _


class SfoAdmissionRules:
    service = "sfo"
    letter_kind = "sfo.decision_letters"
    letter_payload_key = "application_id"
    letter_key_prefix = "sfo-vedtak-send"

    @property
    def duplicate_message(self) -> str:
        return _("Barnet har allerede en SFO-søknad i dette opptaket. Endre den i stedet.")


RULES = SfoAdmissionRules()
