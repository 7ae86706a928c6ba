"""Live SvarUt client (httpx): multipart send, status search and events, with Maskinporten + integrasjon auth."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from django.conf import settings

from integrations.common.errors import ConfigurationMissing, PermanentError, TransientError
from integrations.common.transport import TokenSource, Transport
from integrations.svarut.mapping import ALL_STATUSES, Forsendelse, ForsendelseStatus, Hendelse

SCOPE = "ks:fiks"


class SvarUtTransport(Transport):
    system = "svarut"


def _parse_time(value: Any) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise TransientError(f"svarut: ugyldig tidspunkt {value!r}", system="svarut") from exc
    if parsed.tzinfo is None:
        raise TransientError(f"svarut: tidspunkt uten tidssone {value!r}", system="svarut")
    return parsed


class SvarUtClient:
    """Implements ``SvarUtPort`` over HTTP against SvarUt (or its simulator)."""

    def __init__(
        self,
        *,
        base_url: str,
        konto_id: str,
        integrasjon_id: str,
        integrasjon_passord: str,
        token_source: TokenSource,
        timeout: float = 30.0,
    ):
        self.konto_id = konto_id
        self._transport = SvarUtTransport(
            base_url=base_url,
            token_source=token_source,
            timeout=timeout,
            headers={"IntegrasjonId": integrasjon_id, "IntegrasjonPassord": integrasjon_passord},
        )

    def close(self) -> None:
        self._transport.close()

    def send(self, forsendelse: Forsendelse) -> str:
        files: list[tuple[str, tuple[str | None, bytes, str]]] = [
            ("forsendelse", (None, json.dumps(forsendelse.as_json()).encode(), "application/json"))
        ]
        files.extend(
            (f"filer_{index}", (document.filnavn, document.content, document.mime_type))
            for index, document in enumerate(forsendelse.dokumenter)
        )
        response = self._transport.request(
            "POST", f"/api/v2/kontoer/{self.konto_id}/forsendelser", files=files, headers={"Accept": "application/json"}
        )
        body = self._transport.json(response)
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not body["id"]:
            raise TransientError("svarut: svaret på send mangler id", system="svarut")
        return body["id"]

    def find_by_ekstern_referanse(self, ekstern_referanse: str) -> list[str]:
        """The ids of forsendelser this konto sent with ``ekstern_referanse`` (SvarUt's eksternref lookup).

        SvarUt does not promise to de-duplicate a repeated eksternReferanse, so a client that may be resending
        (an earlier attempt might have reached SvarUt) asks first.
        """
        response = self._transport.request(
            "GET",
            f"/api/v2/kontoer/{self.konto_id}/forsendelser/eksternref/{quote(ekstern_referanse, safe='')}",
            headers={"Accept": "application/json"},
        )
        body = self._transport.json(response)
        ids = body.get("forsendelseIds") if isinstance(body, dict) else body
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise TransientError("svarut: ufullstendig svar på oppslag av eksternReferanse", system="svarut")
        return list(ids)

    def status_search(self, forsendelse_ids: Sequence[str]) -> list[ForsendelseStatus]:
        if not forsendelse_ids:
            return []
        response = self._transport.request(
            "POST",
            f"/api/v2/kontoer/{self.konto_id}/forsendelser/status-sok",
            json_body={"forsendelseIds": list(forsendelse_ids)},
            headers={"Accept": "application/json"},
        )
        body = self._transport.json(response)
        try:
            rows = body["statuser"]
            result = [
                ForsendelseStatus(
                    id=str(row["id"]),
                    status=str(row["status"]),
                    siste_status_endring=_parse_time(row["sisteStatusEndring"]),
                )
                for row in rows
            ]
        except (KeyError, TypeError) as exc:
            raise TransientError(f"svarut: ufullstendig status-svar ({exc})", system="svarut") from exc
        unknown = [s.status for s in result if s.status not in ALL_STATUSES]
        if unknown:
            raise PermanentError(f"svarut: ukjent status {unknown[0]}", system="svarut")
        return result

    def events(self, forsendelse_id: str) -> list[Hendelse]:
        response = self._transport.request(
            "GET", f"/api/v2/forsendelser/{forsendelse_id}/hendelser", headers={"Accept": "application/json"}
        )
        body = self._transport.json(response)
        try:
            return [
                Hendelse(tidspunkt=_parse_time(row["tidspunkt"]), hendelse=str(row["hendelse"]))
                for row in body["hendelser"]
            ]
        except (KeyError, TypeError) as exc:
            raise TransientError(f"svarut: ufullstendig hendelse-svar ({exc})", system="svarut") from exc


def get_svarut_port() -> SvarUtClient:
    """Return a client for ``SVARUT_MODE``: the loopback simulator, or live SvarUt (fails loudly if unconfigured)."""
    from integrations.maskinporten import get_token_provider
    from integrations.maskinporten.client import bearer_token_source

    if settings.INTEGRATION_MODES["svarut"] == "live":
        names = ("SVARUT_BASE_URL", "SVARUT_KONTO_ID", "SVARUT_INTEGRASJON_ID", "SVARUT_INTEGRASJON_PASSORD")
        missing = [name for name in names if not getattr(settings, name, "")]
        if missing:
            raise ConfigurationMissing(
                "SVARUT_MODE=live needs " + ", ".join(missing) + " (secrets may be given as <NAME>_FILE).",
                system="svarut",
            )
        base_url = settings.SVARUT_BASE_URL
        konto_id = settings.SVARUT_KONTO_ID
        integrasjon_id = settings.SVARUT_INTEGRASJON_ID
        passord = settings.SVARUT_INTEGRASJON_PASSORD
    else:
        from integrations.svarut import simulator

        base_url = settings.SVARUT_SIMULATOR_URL
        konto_id = simulator.SIMULATOR_KONTO_ID
        integrasjon_id = simulator.SIMULATOR_INTEGRASJON_ID
        passord = simulator.SIMULATOR_INTEGRASJON_PASSORD
    return SvarUtClient(
        base_url=base_url,
        konto_id=konto_id,
        integrasjon_id=integrasjon_id,
        integrasjon_passord=passord,
        token_source=bearer_token_source(get_token_provider(), scopes=[SCOPE]),
        timeout=float(getattr(settings, "SVARUT_TIMEOUT_SECONDS", 30.0)),
    )
