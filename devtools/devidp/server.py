"""HTTP side of the development identity provider: a small WSGI app served by the standard library."""

from __future__ import annotations

import json
import logging
import socketserver
import sys
from collections.abc import Callable, Iterable
from html import escape
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import FatalClientError, OAuth2Error

from devtools.devidp.issuers import IDPORTEN_LEVELS, ISSUERS, personas_for, subject_for_persona, subject_for_pid
from devtools.devidp.provider import DevProvider, Flaw
from oas.demo_personas import PERSONAS_BY_KEY

logger = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
Response = tuple[str, list[tuple[str, str]], bytes]

LEVEL_LABELS = {"idporten-loa-substantial": "Betydelig (MinID, TestID)", "idporten-loa-high": "Høyt (BankID, Buypass)"}


def _json(data: Any, status: str = "200 OK") -> Response:
    return status, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], json.dumps(data).encode()


def _html(body: str, status: str = "200 OK") -> Response:
    page = (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Utviklingsinnlogging</title></head><body>"
        f"{body}</body></html>"
    )
    return status, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")], page.encode()


def _redirect(location: str) -> Response:
    return "302 Found", [("Location", location), ("Cache-Control", "no-store")], b""


def _from_oauthlib(headers: dict[str, str], body: str | None, status: int) -> Response:
    reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden"}.get(status, "Error")
    return f"{status} {reason}", list(headers.items()), (body or "").encode()


class DevIdpApp:
    """Routes: /<issuer>/{.well-known/openid-configuration, jwks, authorize, token, userinfo, endsession}."""

    def __init__(self, provider: DevProvider) -> None:
        self.provider = provider

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            status, headers, body = self.dispatch(environ)
        except Exception:
            logger.exception("development identity provider failed")
            status, headers, body = _json({"error": "server_error"}, "500 Internal Server Error")
        start_response(status, headers)
        return [body]

    def dispatch(self, environ: dict[str, Any]) -> Response:  # noqa: PLR0911 - a router: one return per route
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        body = self._body(environ)
        parts = [p for p in path.split("/") if p]
        if not parts:
            return self.index()
        if parts[0] == "_test":
            return self.test_api(method, parts[1:], query, body)
        issuer, rest = parts[0], "/".join(parts[1:])
        if issuer not in ISSUERS:
            return _json({"error": "not_found"}, "404 Not Found")
        uri = f"{self.provider.issuers[issuer].url}/{rest}" + (f"?{query}" if query else "")
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if "CONTENT_TYPE" in environ:
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if rest == ".well-known/openid-configuration":
            return _json(self.provider.discovery(issuer))
        if rest == "jwks":
            return _json(self.provider.jwks(issuer))
        if rest == "authorize":
            return self.authorize(issuer, method, uri, query, body)
        if rest == "token" and method == "POST":
            _, token_endpoint, _ = self.provider.endpoints[issuer]
            return _from_oauthlib(*token_endpoint.create_token_response(uri, "POST", body, headers))
        if rest == "userinfo":
            _, _, userinfo = self.provider.endpoints[issuer]
            return _from_oauthlib(*userinfo.create_userinfo_response(uri, method, body, headers))
        if rest == "endsession":
            return self.end_session(issuer, query)
        return _json({"error": "not_found"}, "404 Not Found")

    @staticmethod
    def _body(environ: dict[str, Any]) -> str:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        return environ["wsgi.input"].read(length).decode() if length else ""

    # --- pages ------------------------------------------------------------------------------------
    def index(self) -> Response:
        items = "".join(
            f'<li><a href="{escape(s.url)}/.well-known/openid-configuration">{escape(ISSUERS[k].title)}</a></li>'
            for k, s in self.provider.issuers.items()
        )
        return _html(f"<h1>Utviklingsinnlogging for OAS</h1><ul>{items}</ul>")

    def authorize(self, issuer: str, method: str, uri: str, query: str, body: str) -> Response:  # noqa: PLR0911 - one answer per protocol outcome
        authorization, _, _ = self.provider.endpoints[issuer]
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            scopes, credentials = authorization.validate_authorization_request(uri, "GET", None, {})
        except FatalClientError as exc:
            return _html(
                f"<h1>Ugyldig forespørsel</h1><p>{escape(exc.description or exc.error)}</p>", "400 Bad Request"
            )
        except OAuth2Error as exc:
            return _redirect(add_params_to_uri(params.get("redirect_uri", ""), exc.twotuples))
        redirect_uri, state = credentials["redirect_uri"], params.get("state")
        if params.get("code_challenge_method") != "S256":
            error = [("error", "invalid_request"), ("error_description", "PKCE with S256 is required")]
            return _redirect(add_params_to_uri(redirect_uri, error + ([("state", state)] if state else [])))
        if method != "POST":
            return self.login_page(issuer, query, params)
        form = {k: v[-1] for k, v in parse_qs(body).items()}
        if form.get("cancel"):
            error = [("error", "access_denied")] + ([("state", state)] if state else [])
            return _redirect(add_params_to_uri(redirect_uri, error))
        level = form.get("acr") or self._requested_level(params)
        pid = form.get("pid", "").strip()
        persona = PERSONAS_BY_KEY.get(form.get("persona", ""))
        if issuer == "idporten" and pid:
            if not (pid.isdigit() and len(pid) == 11):
                return self.login_page(issuer, query, params, error="Fødselsnummeret må ha 11 siffer.")
            subject = subject_for_pid(pid, acr=level)
        elif persona is not None and persona in personas_for(issuer):
            subject = subject_for_persona(issuer, persona, acr=level)
        else:
            return self.login_page(issuer, query, params, error="Velg en testbruker.")
        headers, response_body, status = authorization.create_authorization_response(
            uri, "GET", None, {}, scopes, {"dev_subject": subject, "client_id": credentials["client_id"]}
        )
        return _from_oauthlib(headers, response_body, status)

    @staticmethod
    def _requested_level(params: dict[str, str]) -> str:
        requested = params.get("acr_values", "").split()
        return "idporten-loa-high" if "idporten-loa-high" in requested else IDPORTEN_LEVELS[0]

    def login_page(self, issuer: str, query: str, params: dict[str, str], *, error: str = "") -> Response:
        action = escape(f"/{issuer}/authorize?{query}")
        rows = "".join(
            f'<li><button type="submit" name="persona" value="{escape(p.key)}">'
            f"{escape(p.first_name)} {escape(p.last_name)} – {escape(p.label)}</button></li>"
            for p in personas_for(issuer)
        )
        level_field = ""
        free_entry = ""
        if issuer == "idporten":
            chosen = self._requested_level(params)
            options = "".join(
                f'<option value="{lvl}"{" selected" if lvl == chosen else ""}>{escape(LEVEL_LABELS[lvl])}</option>'
                for lvl in IDPORTEN_LEVELS
            )
            level_field = f'<p><label>Sikkerhetsnivå <select name="acr">{options}</select></label></p>'
            free_entry = (
                '<p><label>Eller skriv et fødselsnummer <input name="pid" inputmode="numeric" autocomplete="off">'
                '</label> <button type="submit" name="free" value="1">Logg inn med fødselsnummeret</button></p>'
            )
        message = f'<p role="alert">{escape(error)}</p>' if error else ""
        body = (
            f"<h1>{escape(ISSUERS[issuer].title)}</h1>"
            "<p>Dette er en innloggingstjeneste for utvikling og test. Velg en testbruker.</p>"
            f'{message}<form method="post" action="{action}">{level_field}<ul>{rows}</ul>{free_entry}'
            '<p><button type="submit" name="cancel" value="1">Avbryt</button></p></form>'
        )
        return _html(body, "200 OK" if not error else "400 Bad Request")

    def end_session(self, issuer: str, query: str) -> Response:
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        target = params.get("post_logout_redirect_uri", "")
        hint = params.get("id_token_hint", "")
        claims = self.provider.verify_own_token(issuer, hint) if hint else None
        if target and claims is not None and self.provider.redirect_allowed(target):
            extra = [("state", params["state"])] if params.get("state") else []
            return _redirect(add_params_to_uri(target, extra) if extra else target)
        return _html("<h1>Du er logget ut</h1><p>Du kan lukke dette vinduet.</p>")

    # --- test mode --------------------------------------------------------------------------------
    def test_api(self, method: str, parts: list[str], query: str, body: str) -> Response:  # noqa: PLR0911 - a router
        if not self.provider.test_mode:
            return _json({"error": "not_found"}, "404 Not Found")
        if parts == ["flaws"] and method == "POST":
            data = json.loads(body or "{}")
            issuer = data.pop("issuer", "")
            if issuer not in ISSUERS:
                return _json({"error": "unknown issuer"}, "400 Bad Request")
            self.provider.queue_flaw(issuer, Flaw(**data))
            return _json({"queued": True})
        if parts == ["reset"] and method == "POST":
            for state in self.provider.issuers.values():
                with self.provider.lock:
                    state.flaws.clear()
            return _json({"reset": True})
        if parts == ["last-id-token"]:
            issuer = parse_qs(query).get("issuer", [""])[-1]
            if issuer not in ISSUERS:
                return _json({"error": "unknown issuer"}, "400 Bad Request")
            return _json({"id_token": self.provider.issuers[issuer].last_id_token})
        return _json({"error": "not_found"}, "404 Not Found")


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        if "-v" in sys.argv:
            super().log_message(format, *args)


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


def build_provider(
    *,
    host: str,
    port: int,
    public_url: str = "",
    client_id: str,
    client_secret: str,
    redirect_hosts: Iterable[str],
    test_mode: bool,
) -> DevProvider:
    return DevProvider(
        base_url=public_url or f"http://{host}:{port}",
        clients={client_id: client_secret},
        redirect_hosts=set(redirect_hosts),
        test_mode=test_mode,
    )


def serve(provider: DevProvider, *, host: str, port: int, ready: Callable[[str], None] | None = None) -> None:
    """Serve until interrupted."""
    httpd = make_server(host, port, DevIdpApp(provider), server_class=_ThreadingServer, handler_class=_QuietHandler)
    if ready is not None:
        ready(f"http://{host}:{httpd.server_port}")
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()
