"""Live Noark 5 tjenestegrensesnitt client: starts at ``/api`` and follows ``_links`` by relation, never by path."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from integrations.common.errors import ConfigurationMissing, PermanentError, TransientError
from integrations.common.transport import TokenSource, Transport
from integrations.noark.mapping import (
    NOARK_JSON,
    REL_DOKUMENTBESKRIVELSE,
    REL_DOKUMENTOBJEKT,
    REL_FIL,
    REL_JOURNALPOST,
    REL_KORRESPONDANSEPART,
    REL_NY_DOKUMENTBESKRIVELSE,
    REL_NY_DOKUMENTOBJEKT,
    REL_NY_JOURNALPOST,
    REL_NY_KORRESPONDANSEPARTPERSON,
    REL_NY_SAKSMAPPE,
    REL_SAKARKIV,
    REL_SAKSMAPPE,
    NoarkObject,
)


class NoarkTransport(Transport):
    system = "noark"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class NoarkClient:
    """Implements ``NoarkPort``: create and find saksmapper, journalposter, documents and files by link relations."""

    def __init__(self, *, base_url: str, token_source: TokenSource, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self._transport = NoarkTransport(base_url=self.base_url, token_source=token_source, timeout=timeout)
        self._sakarkiv: NoarkObject | None = None

    def close(self) -> None:
        self._transport.close()

    # --- plumbing -------------------------------------------------------------------------------
    def _path(self, href: str) -> str:
        if not href.startswith(self.base_url + "/"):
            raise PermanentError(f"noark: lenken {href} peker utenfor arkivet", system="noark")
        return href[len(self.base_url) :]

    def _get(self, href: str, *, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self._transport.request("GET", self._path(href), params=params, headers={"Accept": NOARK_JSON})
        body = self._transport.json(response)
        if not isinstance(body, dict):
            raise TransientError("noark: svaret er ikke et JSON-objekt", system="noark")
        return body

    def _post(self, href: str, data: dict[str, Any]) -> NoarkObject:
        import json

        response = self._transport.request(
            "POST",
            self._path(href),
            content=json.dumps(data).encode(),
            headers={"Accept": NOARK_JSON, "Content-Type": NOARK_JSON},
            ok=(201,),
        )
        body = self._transport.json(response)
        if not isinstance(body, dict) or not response.headers.get("Location"):
            raise TransientError("noark: 201 uten objekt eller Location", system="noark")
        return NoarkObject.from_json(body)

    def _create(self, new_link: str, data: dict[str, Any]) -> NoarkObject:
        """GET the ``ny-*`` template, fill it in, POST it back (the standard's create dance)."""
        template = self._get(new_link)
        template.pop("_links", None)
        return self._post(new_link, {**template, **data})

    def _sakarkiv_root(self) -> NoarkObject:
        if self._sakarkiv is None:
            entry = NoarkObject.from_json(self._get(self.base_url + "/api"))
            self._sakarkiv = NoarkObject.from_json(self._get(entry.link(REL_SAKARKIV)))
        return self._sakarkiv

    def _find(self, list_link: str, field: str, value: str) -> list[NoarkObject]:
        body = self._get(list_link, params={"$filter": f"{field} eq {_quote(value)}"})
        results = body.get("results")
        if not isinstance(results, list):
            raise TransientError("noark: listesvar uten results", system="noark")
        return [NoarkObject.from_json(r) for r in results]

    # --- operations -----------------------------------------------------------------------------
    def saksmappe_find(self, *, external_key: str) -> NoarkObject | None:
        found = self._find(self._sakarkiv_root().link(REL_SAKSMAPPE), "referanseEksternNoekkel/noekkel", external_key)
        return found[0] if found else None

    def saksmappe_create(self, data: dict[str, Any]) -> NoarkObject:
        return self._create(self._sakarkiv_root().link(REL_NY_SAKSMAPPE), data)

    def journalpost_find(self, *, external_key: str) -> NoarkObject | None:
        found = self._find(self._sakarkiv_root().link(REL_JOURNALPOST), "referanseEksternNoekkel/noekkel", external_key)
        return found[0] if found else None

    def journalpost_create(self, saksmappe: NoarkObject, data: dict[str, Any]) -> NoarkObject:
        return self._create(saksmappe.link(REL_NY_JOURNALPOST), data)

    def korrespondanseparter(self, journalpost: NoarkObject) -> list[NoarkObject]:
        body = self._get(journalpost.link(REL_KORRESPONDANSEPART))
        return [NoarkObject.from_json(r) for r in body.get("results") or []]

    def korrespondansepart_create(self, journalpost: NoarkObject, data: dict[str, Any]) -> NoarkObject:
        return self._create(journalpost.link(REL_NY_KORRESPONDANSEPARTPERSON), data)

    def dokumentbeskrivelser(self, journalpost: NoarkObject) -> list[NoarkObject]:
        body = self._get(journalpost.link(REL_DOKUMENTBESKRIVELSE))
        return [NoarkObject.from_json(r) for r in body.get("results") or []]

    def dokumentbeskrivelse_create(self, journalpost: NoarkObject, data: dict[str, Any]) -> NoarkObject:
        return self._create(journalpost.link(REL_NY_DOKUMENTBESKRIVELSE), data)

    def dokumentobjekter(self, dokumentbeskrivelse: NoarkObject) -> list[NoarkObject]:
        body = self._get(dokumentbeskrivelse.link(REL_DOKUMENTOBJEKT))
        return [NoarkObject.from_json(r) for r in body.get("results") or []]

    def dokumentobjekt_create(self, dokumentbeskrivelse: NoarkObject, data: dict[str, Any]) -> NoarkObject:
        return self._create(dokumentbeskrivelse.link(REL_NY_DOKUMENTOBJEKT), data)

    def file_upload(self, dokumentobjekt: NoarkObject, *, content: bytes, mime_type: str) -> NoarkObject:
        response = self._transport.request(
            "POST",
            self._path(dokumentobjekt.link(REL_FIL)),
            content=content,
            headers={"Accept": NOARK_JSON, "Content-Type": mime_type},
            ok=(200, 201),
        )
        return NoarkObject.from_json(self._transport.json(response))


def get_noark_port() -> NoarkClient:
    """Return a client for ``NOARK_MODE``: the loopback simulator, or the live archive (fails loudly if unset)."""
    from integrations.maskinporten import get_token_provider
    from integrations.maskinporten.client import bearer_token_source

    if settings.INTEGRATION_MODES["noark"] == "live":
        if not settings.NOARK_BASE_URL:
            raise ConfigurationMissing("NOARK_MODE=live needs NOARK_BASE_URL.", system="noark")
        base_url = settings.NOARK_BASE_URL
    else:
        base_url = settings.NOARK_SIMULATOR_URL
    return NoarkClient(
        base_url=base_url,
        token_source=bearer_token_source(get_token_provider(), scopes=[settings.NOARK_SCOPE]),
        timeout=float(settings.NOARK_TIMEOUT_SECONDS),
    )
