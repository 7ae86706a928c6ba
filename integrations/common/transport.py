"""HTTP transport base for live clients: httpx, bearer tokens, errors mapped to transient/permanent."""

from __future__ import annotations

import functools
import json
import logging
import re
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from integrations.common.errors import PermanentError, TransientError

logger = logging.getLogger(__name__)

_NATIONAL_ID = re.compile(r"(?<!\d)\d{11}(?!\d)")


def redact_national_ids(text: str) -> str:
    """Mask 11-digit numbers (fødselsnummer, D-nummer): error messages end up in logs and run records."""
    return _NATIONAL_ID.sub("***********", text)


TokenSource = Callable[[bool], str]
"""Returns a bearer token; called with ``True`` to force a fresh one (after a 401)."""


def parse_retry_after(value: str | None, *, milliseconds: bool = False) -> float | None:
    """Return seconds from a ``Retry-After`` header (FREG sends milliseconds)."""
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return max(number / 1000.0 if milliseconds else number, 0.0)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default verifying TLS context, built once per process (building one costs ~20–70 ms)."""
    return httpx.create_ssl_context()


class Transport:
    """One base URL, one httpx client; ``request`` raises TransientError/PermanentError, never httpx errors."""

    system = "http"
    retry_after_in_milliseconds = False

    def __init__(
        self,
        *,
        base_url: str,
        token_source: TokenSource | None = None,
        timeout: float = 10.0,
        headers: Mapping[str, str] | None = None,
        client: httpx.Client | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self._token_source = token_source
        self._client = client or httpx.Client(timeout=timeout, headers=dict(headers or {}), verify=tls_context())

    def close(self) -> None:
        self._client.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        data: Mapping[str, Any] | None = None,
        ok: Sequence[int] = (200, 201, 202, 204),
    ) -> httpx.Response:
        """Send one request; on a 401 fetch a fresh token once and try again."""
        for attempt in (0, 1):
            request_headers = dict(headers or {})
            if self._token_source is not None:
                request_headers["Authorization"] = f"Bearer {self._token_source(attempt == 1)}"
            try:
                response = self._client.request(
                    method,
                    self.base_url + path,
                    params=params,  # type: ignore[arg-type]
                    json=json_body,
                    content=content,
                    headers=request_headers,
                    files=files,
                    data=data,
                )
            except httpx.TimeoutException as exc:
                raise TransientError(
                    f"{self.system}: tidsavbrudd ({method} {redact_national_ids(path)})", system=self.system
                ) from exc
            except httpx.TransportError as exc:
                raise TransientError(f"{self.system}: nettverksfeil ({exc})", system=self.system) from exc
            if response.status_code == 401 and self._token_source is not None and attempt == 0:
                logger.info("%s: 401, fetching a fresh token and retrying once", self.system)
                continue
            self._raise_for_status(response, ok=ok)
            return response
        raise PermanentError(f"{self.system}: ikke autorisert", system=self.system, status=401)  # pragma: no cover

    def _raise_for_status(self, response: httpx.Response, *, ok: Sequence[int]) -> None:
        status = response.status_code
        if status in ok:
            return
        detail = redact_national_ids(response.text[:300])
        if status == 429:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), milliseconds=self.retry_after_in_milliseconds
            )
            raise TransientError(
                f"{self.system}: for mange forespørsler (429)",
                system=self.system,
                status=status,
                retry_after=retry_after,
            )
        if status >= 500 or status in (408, 425):
            raise TransientError(f"{self.system}: serverfeil {status}: {detail}", system=self.system, status=status)
        raise PermanentError(f"{self.system}: avvist {status}: {detail}", system=self.system, status=status)

    def json(self, response: httpx.Response) -> Any:
        """Decode a JSON body; a malformed body is transient (a proxy or a half-written response)."""
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as exc:
            raise TransientError(
                f"{self.system}: ugyldig JSON i svaret ({response.request.method} {redact_national_ids(response.request.url.path)})",
                system=self.system,
                status=response.status_code,
            ) from exc
