"""Kindergarten's rules for the shared admission workflow (``admission.services``): programmes per age group,
several ranked choices, one stored ``DecisionLetter`` per decision."""

from __future__ import annotations

from django.utils.translation import gettext as _


class KindergartenAdmissionRules:
    service = "kindergarten"
    letter_kind = "kindergarten.decision_letter"
    letter_payload_key = "letter_id"
    letter_key_prefix = "kg-vedtak-send"

    @property
    def duplicate_message(self) -> str:
        return _("Barnet har allerede en søknad i dette opptaket. Endre den i stedet.")


RULES = KindergartenAdmissionRules()
