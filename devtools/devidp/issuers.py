"""The three emulated issuers and the claims each one puts in its tokens."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from oas.demo_personas import PERSONAS, Persona

IDPORTEN_LEVELS = ("idporten-loa-substantial", "idporten-loa-high")
DEV_TENANT_ID = "3030aaaa-0000-4000-8000-000000003030"
FEIDE_USERID_SEC = "https://n.feide.no/claims/userid_sec"


@dataclass(frozen=True)
class Issuer:
    key: str  # path segment: http://127.0.0.1:8100/<key>
    title: str
    scopes: tuple[str, ...]


ISSUERS: dict[str, Issuer] = {
    "idporten": Issuer("idporten", "ID-porten (utvikling)", ("openid", "profile")),
    "entra": Issuer("entra", "Microsoft Entra ID (utvikling)", ("openid", "profile", "email")),
    "feide": Issuer("feide", "Feide (utvikling)", ("openid", "profile", "email", "userid", "userid-feide")),
}


def personas_for(issuer: str) -> list[Persona]:
    """Personas offered on the issuer's login page (staff personas are offered by both staff issuers)."""
    if issuer == "idporten":
        return [p for p in PERSONAS if p.kind == "guardian"]
    return [p for p in PERSONAS if p.kind == "staff"]


@dataclass(frozen=True)
class Subject:
    """Who logged in at the provider, and how strongly."""

    issuer: str
    persona_key: str
    sub: str
    claims: dict[str, Any]


def subject_for_persona(issuer: str, persona: Persona, *, acr: str = "") -> Subject:
    """Build the claims the real provider would release for this persona."""
    name = f"{persona.first_name} {persona.last_name}".strip()
    if issuer == "idporten":
        return subject_for_pid(persona.national_id, acr=acr, persona_key=persona.key)
    if issuer == "entra":
        claims: dict[str, Any] = {
            "oid": persona.entra_oid,
            "tid": DEV_TENANT_ID,
            "roles": ["OAS.Ansatt"],
            "preferred_username": persona.email,
            "name": name,
        }
        return Subject(issuer, persona.key, f"entra-{persona.entra_oid}", claims)
    claims = {FEIDE_USERID_SEC: [persona.feide_id], "name": name, "email": persona.email, "email_verified": True}
    return Subject(issuer, persona.key, f"feide-{persona.key}", claims)


def subject_for_pid(pid: str, *, acr: str, persona_key: str = "") -> Subject:
    """An ID-porten login for a fødselsnummer typed in freely (test users that are not personas)."""
    if acr not in IDPORTEN_LEVELS:
        acr = IDPORTEN_LEVELS[0]
    amr = ["TestID"] if acr == IDPORTEN_LEVELS[0] else ["BankID"]
    # ID-porten's sub is a pairwise pseudonym; derive a stable one that is not the pid itself.
    sub = "idp-" + hashlib.sha256(f"oas-dev-sub:{pid}".encode()).hexdigest()[:24]
    return Subject("idporten", persona_key, sub, {"pid": pid, "acr": acr, "amr": amr, "locale": "nb"})
