"""Noark 5 tjenestegrensesnitt simulator (sakarkiv): HATEOAS from ``/api``, ``application/vnd.noark5+json``.

Implements what the archive service uses, in the shape of the standard (arkivverket/noark5-tjenestegrensesnitt):

* ``GET /api`` → ``_links`` keyed by relation URIs (``…/api/sakarkiv/``, ``…/api/arkivstruktur/``).
* ``GET /api/sakarkiv/`` → links to ``saksmappe`` (list, OData ``$filter``), ``ny-saksmappe``, ``journalpost``.
* ``GET`` on a ``ny-*`` link returns a prefilled template without ``self``; ``POST`` with
  ``Content-Type: application/vnd.noark5+json`` creates the object → ``201 Created`` + ``Location``.
* saksmappe → ``ny-journalpost`` (journalposttype ``I``/``U``/… as code objects ``{"kode","kodenavn"}``)
  → ``ny-dokumentbeskrivelse`` → ``ny-dokumentobjekt`` → ``referanseFil`` upload (``Content-Type: application/pdf``).
* ``$filter`` supports ``<field[/sub]> eq '<value>'`` joined by ``and`` (e.g. ``referanseEksternNoekkel/noekkel``,
  ``mappeID``). A second create with an existing ``referanseEksternNoekkel`` is refused with 409, so a
  client that lost the first answer finds the object instead of making a duplicate.

Every call needs a Maskinporten bearer token with scope ``noark5:arkiv``. Faults: see ``SimulatorServer.fail``.
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer
from integrations.noark.mapping import (
    KORRESPONDANSEPARTTYPER,
    NOARK_JSON,
    REL_ARKIVSTRUKTUR,
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
    REL_SELF,
)
from oas import clock

REQUIRED_SCOPE = "noark5:arkiv"

JOURNALPOSTTYPER = {
    "I": "Inngående dokument",
    "U": "Utgående dokument",
    "N": "Organinternt dokument for oppfølging",
    "X": "Organinternt dokument uten oppfølging",
    "S": "Saksframlegg",
}
JOURNALSTATUSER = {"J", "F", "G", "E", "A", "U", "M", "S", "R"}
_FILTER_TERM = re.compile(r"^\s*([A-Za-z0-9_/]+)\s+eq\s+'((?:[^']|'')*)'\s*$")


class NoarkInvalid(ValueError):
    pass


def _without_internal(data: Any) -> Any:
    """Drop the simulator's own bookkeeping (``_parent``) from what goes over the wire."""
    if isinstance(data, dict):
        return {k: _without_internal(v) for k, v in data.items() if k != "_parent"}
    if isinstance(data, list):
        return [_without_internal(v) for v in data]
    return data


def _code(value: Any, field: str, allowed: set[str] | None = None) -> dict[str, str]:
    if not isinstance(value, dict) or not isinstance(value.get("kode"), str) or not value["kode"]:
        raise NoarkInvalid(f"{field} må være et kodeobjekt {{'kode', 'kodenavn'}}")
    if allowed is not None and value["kode"] not in allowed:
        raise NoarkInvalid(f"{field}: ukjent kode {value['kode']!r}")
    return {"kode": value["kode"], "kodenavn": str(value.get("kodenavn", ""))}


def _text(data: dict[str, Any], field: str, *, required: bool = True) -> str:
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise NoarkInvalid(f"{field} er påkrevd")
    return value


def _skjerming(data: dict[str, Any]) -> dict[str, Any] | None:
    value = data.get("skjerming")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise NoarkInvalid("skjerming må være et objekt")
    restriction = _code(value.get("tilgangsrestriksjon"), "skjerming.tilgangsrestriksjon")
    hjemmel = _text(value, "skjermingshjemmel")
    metadata = value.get("skjermingMetadata")
    if not isinstance(metadata, list) or not metadata:
        raise NoarkInvalid("skjerming.skjermingMetadata er påkrevd")
    return {
        "tilgangsrestriksjon": restriction,
        "skjermingshjemmel": hjemmel,
        "skjermingMetadata": [_code(m, "skjermingMetadata") for m in metadata],
    }


def _external_key(data: dict[str, Any]) -> dict[str, str] | None:
    value = data.get("referanseEksternNoekkel")
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("fagsystem") or not value.get("noekkel"):
        raise NoarkInvalid("referanseEksternNoekkel må ha fagsystem og noekkel")
    return {"fagsystem": str(value["fagsystem"]), "noekkel": str(value["noekkel"])}


def parse_filter(expression: str) -> list[tuple[list[str], str]]:
    """Parse ``a/b eq 'x' and c eq 'y'`` into ``[(["a","b"], "x"), (["c"], "y")]``."""
    terms = []
    for term in re.split(r"\s+and\s+", expression.strip()):
        match = _FILTER_TERM.match(term)
        if not match:
            raise NoarkInvalid(f"$filter støttes bare som «felt eq 'verdi'» (fikk {term!r})")
        terms.append((match.group(1).split("/"), match.group(2).replace("''", "'")))
    return terms


def _matches(obj: dict[str, Any], terms: list[tuple[list[str], str]]) -> bool:
    for path, expected in terms:
        value: Any = obj
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None or str(value) != expected:
            return False
    return True


class NoarkSimulator(SimulatorServer):
    name = "noark"

    def __init__(
        self, *, host: str = "127.0.0.1", port: int = 0, token_verifier: Callable[[str], object] | None = None
    ):
        super().__init__(host=host, port=port)
        self.token_verifier = token_verifier
        self.saksmapper: dict[str, dict[str, Any]] = {}
        self.journalposter: dict[str, dict[str, Any]] = {}
        self.dokumentbeskrivelser: dict[str, dict[str, Any]] = {}
        self.dokumentobjekter: dict[str, dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}
        self.korrespondanseparter: dict[str, dict[str, Any]] = {}
        self._sakssekvens: dict[int, int] = {}
        self._journalsekvens: dict[int, int] = {}
        self._state = threading.Lock()

    def reset_state(self) -> None:
        """Forget every object and queued fault (tests share one server per module)."""
        with self._state:
            for store in (
                self.saksmapper,
                self.journalposter,
                self.dokumentbeskrivelser,
                self.dokumentobjekter,
                self.files,
                self.korrespondanseparter,
            ):
                store.clear()
            self._sakssekvens.clear()
            self._journalsekvens.clear()
        self.reset_faults()

    # --- helpers --------------------------------------------------------------------------------
    def _href(self, path: str) -> dict[str, str]:
        return {"href": self.url + path}

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> SimResponse:
        response = SimResponse.json(_without_internal(data), status=status, headers=headers)
        response.content_type = NOARK_JSON
        return response

    def _error(self, status: int, message: str) -> SimResponse:
        return self._json({"feil": {"kode": str(status), "melding": message}}, status=status)

    def _created(self, obj: dict[str, Any]) -> SimResponse:
        return self._json(obj, status=201, headers={"Location": obj["_links"][REL_SELF]["href"]})

    # --- dispatch -------------------------------------------------------------------------------
    def handle(self, request: SimRequest) -> SimResponse:
        authorization = request.header("authorization")
        if not authorization.startswith("Bearer "):
            return self._error(401, "Mangler token")
        if self.token_verifier is not None:
            try:
                self.token_verifier(authorization)
            except Exception as exc:
                return self._error(401, f"Ugyldig token: {exc}")
        accept = request.header("accept")
        if request.method == "GET" and accept and NOARK_JSON not in accept and "*/*" not in accept:
            return self._error(406, f"Støtter bare {NOARK_JSON}")
        parts = [p for p in request.path.split("/") if p]
        try:
            return self._route(request, parts)
        except NoarkInvalid as exc:
            return self._error(400, str(exc))

    def _route(self, request: SimRequest, parts: list[str]) -> SimResponse:  # noqa: PLR0911, PLR0912
        get, post = request.method == "GET", request.method == "POST"
        if parts == ["api"] and get:
            return self._json(
                {
                    "_links": {
                        REL_SAKARKIV: self._href("/api/sakarkiv/"),
                        REL_ARKIVSTRUKTUR: self._href("/api/arkivstruktur/"),
                    }
                }
            )
        if parts == ["api", "sakarkiv"] and get:
            return self._json(
                {
                    "_links": {
                        REL_SAKSMAPPE: self._href("/api/sakarkiv/saksmappe/"),
                        REL_NY_SAKSMAPPE: self._href("/api/sakarkiv/ny-saksmappe/"),
                        REL_JOURNALPOST: self._href("/api/sakarkiv/journalpost/"),
                    }
                }
            )
        if parts == ["api", "arkivstruktur"] and get:
            return self._json(
                {
                    "_links": {
                        REL_DOKUMENTBESKRIVELSE: self._href("/api/arkivstruktur/dokumentbeskrivelse/"),
                        REL_DOKUMENTOBJEKT: self._href("/api/arkivstruktur/dokumentobjekt/"),
                    }
                }
            )
        if parts == ["api", "sakarkiv", "ny-saksmappe"]:
            if get:
                return self._json(self._saksmappe_template())
            if post:
                return self._with_json(request, self._create_saksmappe)
        if parts == ["api", "sakarkiv", "saksmappe"] and get:
            return self._list(request, self.saksmapper, "/api/sakarkiv/saksmappe/")
        if parts == ["api", "sakarkiv", "journalpost"] and get:
            return self._list(request, self.journalposter, "/api/sakarkiv/journalpost/")
        if len(parts) >= 4 and parts[:3] == ["api", "sakarkiv", "saksmappe"]:
            mappe = self.saksmapper.get(parts[3])
            if mappe is None:
                return self._error(404, "Ukjent saksmappe")
            if len(parts) == 4 and get:
                return self._json(mappe)
            if parts[4:] == ["ny-journalpost"]:
                if get:
                    return self._json(self._journalpost_template())
                if post:
                    return self._with_json(request, lambda data: self._create_journalpost(mappe, data))
            if parts[4:] == ["journalpost"] and get:
                children = {k: v for k, v in self.journalposter.items() if v["_parent"] == mappe["systemID"]}
                return self._list(request, children, request.path)
        if len(parts) >= 4 and parts[:3] == ["api", "sakarkiv", "journalpost"]:
            post_obj = self.journalposter.get(parts[3])
            if post_obj is None:
                return self._error(404, "Ukjent journalpost")
            if len(parts) == 4 and get:
                return self._json(post_obj)
            if parts[4:] == ["ny-dokumentbeskrivelse"]:
                if get:
                    return self._json(self._dokumentbeskrivelse_template())
                if post:
                    return self._with_json(request, lambda data: self._create_dokumentbeskrivelse(post_obj, data))
            if parts[4:] == ["dokumentbeskrivelse"] and get:
                children = {k: v for k, v in self.dokumentbeskrivelser.items() if v["_parent"] == post_obj["systemID"]}
                return self._list(request, children, request.path)
            if parts[4:] == ["ny-korrespondansepartperson"]:
                if get:
                    return self._json({"_links": {}})
                if post:
                    return self._with_json(request, lambda data: self._create_korrespondansepart(post_obj, data))
            if parts[4:] == ["korrespondansepart"] and get:
                children = {k: v for k, v in self.korrespondanseparter.items() if v["_parent"] == post_obj["systemID"]}
                return self._list(request, children, request.path)
        if len(parts) >= 4 and parts[:3] == ["api", "arkivstruktur", "dokumentbeskrivelse"]:
            beskrivelse = self.dokumentbeskrivelser.get(parts[3])
            if beskrivelse is None:
                return self._error(404, "Ukjent dokumentbeskrivelse")
            if len(parts) == 4 and get:
                return self._json(beskrivelse)
            if parts[4:] == ["ny-dokumentobjekt"]:
                if get:
                    return self._json(self._dokumentobjekt_template())
                if post:
                    return self._with_json(request, lambda data: self._create_dokumentobjekt(beskrivelse, data))
            if parts[4:] == ["dokumentobjekt"] and get:
                children = {k: v for k, v in self.dokumentobjekter.items() if v["_parent"] == beskrivelse["systemID"]}
                return self._list(request, children, request.path)
        if len(parts) >= 4 and parts[:3] == ["api", "arkivstruktur", "dokumentobjekt"]:
            objekt = self.dokumentobjekter.get(parts[3])
            if objekt is None:
                return self._error(404, "Ukjent dokumentobjekt")
            if len(parts) == 4 and get:
                return self._json(objekt)
            if parts[4:] == ["referanseFil"]:
                if post:
                    return self._upload(request, objekt)
                if get:
                    content = self.files.get(objekt["systemID"])
                    if content is None:
                        return self._error(404, "Ingen fil lastet opp")
                    return SimResponse(status=200, body=content, content_type=objekt.get("mimeType", "application/pdf"))
        return self._error(404 if request.method in ("GET", "POST") else 405, f"Ukjent ressurs {request.path}")

    def _with_json(self, request: SimRequest, create: Callable[[dict[str, Any]], SimResponse]) -> SimResponse:
        if not request.header("content-type").startswith(NOARK_JSON):
            return self._error(415, f"Content-Type må være {NOARK_JSON}")
        try:
            data = request.json()
        except ValueError:
            return self._error(400, "Ugyldig JSON")
        if not isinstance(data, dict):
            return self._error(400, "Forventer et JSON-objekt")
        with self._state:
            return create(data)

    def _list(self, request: SimRequest, objects: dict[str, dict[str, Any]], path: str) -> SimResponse:
        expression = request.query_one("$filter")
        terms = parse_filter(expression) if expression else []
        results = [obj for obj in objects.values() if _matches(obj, terms)]
        top = int(request.query_one("$top") or 0)
        skip = int(request.query_one("$skip") or 0)
        results = results[skip : skip + top] if top else results[skip:]
        return self._json({"count": len(results), "results": results, "_links": {REL_SELF: self._href(path)}})

    # --- templates ------------------------------------------------------------------------------
    def _saksmappe_template(self) -> dict[str, Any]:
        return {
            "saksdato": clock.today().isoformat(),
            "dokumentmedium": {"kode": "E", "kodenavn": "Elektronisk arkiv"},
            "saksstatus": {"kode": "B", "kodenavn": "Under behandling"},
            "_links": {},
        }

    def _journalpost_template(self) -> dict[str, Any]:
        return {
            "journaldato": clock.today().isoformat(),
            "journalstatus": {"kode": "J", "kodenavn": "Journalført"},
            "dokumentmedium": {"kode": "E", "kodenavn": "Elektronisk arkiv"},
            "_links": {},
        }

    def _dokumentbeskrivelse_template(self) -> dict[str, Any]:
        return {
            "dokumenttype": {"kode": "B", "kodenavn": "Brev"},
            "dokumentstatus": {"kode": "F", "kodenavn": "Dokumentet er ferdigstilt"},
            "tilknyttetRegistreringSom": {"kode": "H", "kodenavn": "Hoveddokument"},
            "_links": {},
        }

    def _dokumentobjekt_template(self) -> dict[str, Any]:
        return {
            "versjonsnummer": 1,
            "variantformat": {"kode": "A", "kodenavn": "Arkivformat"},
            "format": {"kode": "fmt/95", "kodenavn": "PDF/A-1a"},
            "_links": {},
        }

    # --- creation -------------------------------------------------------------------------------
    def _refuse_duplicate_key(self, objects: dict[str, dict[str, Any]], key: dict[str, str] | None) -> None:
        if key is None:
            return
        for obj in objects.values():
            if obj.get("referanseEksternNoekkel") == key:
                raise _Duplicate(obj)

    def _create_saksmappe(self, data: dict[str, Any]) -> SimResponse:
        tittel = _text(data, "tittel")
        key = _external_key(data)
        try:
            self._refuse_duplicate_key(self.saksmapper, key)
        except _Duplicate as dup:
            return self._error(409, f"Saksmappe med denne eksterne nøkkelen finnes: {dup.obj['systemID']}")
        year = clock.today().year
        self._sakssekvens[year] = self._sakssekvens.get(year, 0) + 1
        system_id = str(uuid.uuid4())
        path = f"/api/sakarkiv/saksmappe/{system_id}/"
        mappe = {
            "systemID": system_id,
            "mappeID": f"{year}/{self._sakssekvens[year]}",
            "tittel": tittel,
            "offentligTittel": _text(data, "offentligTittel", required=False),
            "saksaar": year,
            "sakssekvensnummer": self._sakssekvens[year],
            "saksdato": data.get("saksdato") or clock.today().isoformat(),
            "saksstatus": _code(data.get("saksstatus") or {"kode": "B"}, "saksstatus"),
            "administrativEnhet": _text(data, "administrativEnhet", required=False),
            "saksansvarlig": _text(data, "saksansvarlig", required=False),
            "skjerming": _skjerming(data),
            "referanseEksternNoekkel": key,
            "opprettetDato": clock.now().isoformat(),
            "_links": {
                REL_SELF: self._href(path),
                REL_NY_JOURNALPOST: self._href(path + "ny-journalpost/"),
                REL_JOURNALPOST: self._href(path + "journalpost/"),
            },
        }
        self.saksmapper[system_id] = mappe
        return self._created(mappe)

    def _create_journalpost(self, mappe: dict[str, Any], data: dict[str, Any]) -> SimResponse:
        tittel = _text(data, "tittel")
        journalposttype = _code(data.get("journalposttype"), "journalposttype", set(JOURNALPOSTTYPER))
        journalstatus = _code(data.get("journalstatus") or {"kode": "J"}, "journalstatus", JOURNALSTATUSER)
        key = _external_key(data)
        try:
            self._refuse_duplicate_key(self.journalposter, key)
        except _Duplicate as dup:
            return self._error(409, f"Journalpost med denne eksterne nøkkelen finnes: {dup.obj['systemID']}")
        year = clock.today().year
        self._journalsekvens[year] = self._journalsekvens.get(year, 0) + 1
        number = 1 + sum(1 for j in self.journalposter.values() if j["_parent"] == mappe["systemID"])
        system_id = str(uuid.uuid4())
        path = f"/api/sakarkiv/journalpost/{system_id}/"
        post = {
            "systemID": system_id,
            "registreringsID": f"{mappe['mappeID']}-{number}",
            "tittel": tittel,
            "offentligTittel": _text(data, "offentligTittel", required=False),
            "journalaar": year,
            "journalsekvensnummer": self._journalsekvens[year],
            "journalpostnummer": number,
            "journalposttype": journalposttype,
            "journalstatus": journalstatus,
            "journaldato": data.get("journaldato") or clock.today().isoformat(),
            "dokumentetsDato": data.get("dokumentetsDato"),
            "mottattDato": data.get("mottattDato"),
            "sendtDato": data.get("sendtDato"),
            "skjerming": _skjerming(data),
            "referanseEksternNoekkel": key,
            "_parent": mappe["systemID"],
            "_links": {
                REL_SELF: self._href(path),
                REL_SAKSMAPPE: mappe["_links"][REL_SELF],
                REL_NY_DOKUMENTBESKRIVELSE: self._href(path + "ny-dokumentbeskrivelse/"),
                REL_DOKUMENTBESKRIVELSE: self._href(path + "dokumentbeskrivelse/"),
                REL_NY_KORRESPONDANSEPARTPERSON: self._href(path + "ny-korrespondansepartperson/"),
                REL_KORRESPONDANSEPART: self._href(path + "korrespondansepart/"),
            },
        }
        self.journalposter[system_id] = post
        return self._created(post)

    def _create_korrespondansepart(self, post: dict[str, Any], data: dict[str, Any]) -> SimResponse:
        kind = _code(data.get("korrespondanseparttype"), "korrespondanseparttype", set(KORRESPONDANSEPARTTYPER))
        navn = _text(data, "navn")
        fnr = _text(data, "foedselsnummer", required=False)
        if fnr and not re.fullmatch(r"\d{11}", fnr):
            raise NoarkInvalid("foedselsnummer må ha 11 sifre")
        system_id = str(uuid.uuid4())
        part = {
            "systemID": system_id,
            "korrespondanseparttype": kind,
            "navn": navn,
            "foedselsnummer": fnr or None,
            "postadresse": data.get("postadresse"),
            "_parent": post["systemID"],
            "_links": {REL_SELF: self._href(f"/api/arkivstruktur/korrespondansepartperson/{system_id}/")},
        }
        self.korrespondanseparter[system_id] = part
        return self._created(part)

    def _create_dokumentbeskrivelse(self, post: dict[str, Any], data: dict[str, Any]) -> SimResponse:
        tittel = _text(data, "tittel")
        role = _code(data.get("tilknyttetRegistreringSom"), "tilknyttetRegistreringSom", {"H", "V"})
        number = 1 + sum(1 for d in self.dokumentbeskrivelser.values() if d["_parent"] == post["systemID"])
        system_id = str(uuid.uuid4())
        path = f"/api/arkivstruktur/dokumentbeskrivelse/{system_id}/"
        beskrivelse = {
            "systemID": system_id,
            "tittel": tittel,
            "dokumenttype": _code(data.get("dokumenttype") or {"kode": "B"}, "dokumenttype"),
            "dokumentstatus": _code(data.get("dokumentstatus") or {"kode": "F"}, "dokumentstatus", {"B", "F"}),
            "tilknyttetRegistreringSom": role,
            "dokumentnummer": number,
            "tilknyttetDato": clock.today().isoformat(),
            "skjerming": _skjerming(data),
            "_parent": post["systemID"],
            "_links": {
                REL_SELF: self._href(path),
                REL_NY_DOKUMENTOBJEKT: self._href(path + "ny-dokumentobjekt/"),
                REL_DOKUMENTOBJEKT: self._href(path + "dokumentobjekt/"),
            },
        }
        self.dokumentbeskrivelser[system_id] = beskrivelse
        return self._created(beskrivelse)

    def _create_dokumentobjekt(self, beskrivelse: dict[str, Any], data: dict[str, Any]) -> SimResponse:
        variant = _code(data.get("variantformat"), "variantformat", {"P", "A", "O"})
        mime_type = _text(data, "mimeType")
        filnavn = _text(data, "filnavn")
        version = data.get("versjonsnummer")
        if not isinstance(version, int) or version < 1:
            raise NoarkInvalid("versjonsnummer må være et positivt heltall")
        system_id = str(uuid.uuid4())
        path = f"/api/arkivstruktur/dokumentobjekt/{system_id}/"
        objekt = {
            "systemID": system_id,
            "versjonsnummer": version,
            "variantformat": variant,
            "format": data.get("format"),
            "mimeType": mime_type,
            "filnavn": filnavn,
            "_parent": beskrivelse["systemID"],
            "_links": {REL_SELF: self._href(path), REL_FIL: self._href(path + "referanseFil/")},
        }
        self.dokumentobjekter[system_id] = objekt
        return self._created(objekt)

    def _upload(self, request: SimRequest, objekt: dict[str, Any]) -> SimResponse:
        content_type = request.header("content-type").split(";")[0].strip()
        if content_type != objekt["mimeType"]:
            return self._error(415, f"Content-Type {content_type!r} stemmer ikke med mimeType {objekt['mimeType']!r}")
        if content_type == "application/pdf" and not request.body.startswith(b"%PDF"):
            return self._error(400, "Filen er ikke en PDF")
        with self._state:
            existing = self.files.get(objekt["systemID"])
            if existing is not None and existing != request.body:
                return self._error(409, "Dokumentobjektet har allerede en annen fil")
            self.files[objekt["systemID"]] = request.body
            objekt["sjekksum"] = hashlib.sha256(request.body).hexdigest()
            objekt["sjekksumAlgoritme"] = "SHA-256"
            objekt["filstoerrelse"] = len(request.body)
            objekt["referanseDokumentfil"] = objekt["_links"][REL_FIL]["href"]
        return self._json(objekt, status=200 if existing is not None else 201)


class _Duplicate(Exception):
    def __init__(self, obj: dict[str, Any]):
        super().__init__(obj["systemID"])
        self.obj = obj
