"""Reads for logins: who in the register a provider's claims point at."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from oas.identity.providers import FEIDE_USERID_SEC
from oas.people.models import Employee, Person


def _claim_values(claims: Mapping[str, Any], name: str) -> list[str]:
    value = claims.get(name)
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v]
    return []


def employee_for_claims(*, claims: Mapping[str, Any], match_claim: str) -> Employee | None:
    """Return the active employee the configured claim identifies, or None (never guess between several)."""
    values = _claim_values(claims, match_claim)
    if not values:
        return None
    if match_claim == "oid":
        found = Employee.objects.filter(entra_object_id__in=values)
    elif match_claim in {FEIDE_USERID_SEC, "dataporten-userid_sec"}:
        found = Employee.objects.filter(feide_id__in=values)
    elif match_claim in {"email", "preferred_username", "upn"}:
        found = Employee.objects.filter(email__iexact=values[0])
    else:
        return None
    matches = list(found.filter(active=True).select_related("person")[:2])
    return matches[0] if len(matches) == 1 else None


def person_for_pid(*, pid: str) -> Person | None:
    """Return the person with this fødselsnummer/D-nummer, or None when not in the register."""
    if not (pid.isdigit() and len(pid) == 11):
        return None
    return Person.objects.filter(national_id=pid).first()
