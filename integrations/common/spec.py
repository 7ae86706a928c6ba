"""Validate requests and responses against an OpenAPI file (simulators use it on every call)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict


class SpecViolation(ValueError):
    """A message does not match the spec; ``errors`` lists why."""

    def __init__(self, message: str, errors: list[str]):
        super().__init__(message)
        self.errors = errors


@dataclass
class _Request:
    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None


@dataclass
class _Response:
    status_code: int
    content_type: str
    headers: Headers
    data: bytes | None


@functools.cache
def openapi_for(path: str) -> OpenAPI:
    """Load and cache an OpenAPI document from ``path``."""
    return OpenAPI.from_file_path(str(Path(path)))


def _errors(exc: Exception) -> list[str]:
    details = [str(exc)]
    for source in (exc, exc.__cause__):
        for attr in ("schema_errors", "errors"):
            details.extend(getattr(err, "message", str(err)) for err in getattr(source, attr, None) or [])
    return details


def _request(
    *, method: str, full_path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes | None
) -> _Request:
    content_type = headers.get("content-type", "application/json" if body else "")
    return _Request(
        host_url="http://127.0.0.1",
        path=full_path,
        method=method.lower(),
        parameters=RequestParameters(
            query=ImmutableMultiDict([(k, v) for k, vs in query.items() for v in vs]),
            header=Headers(list(headers.items())),
            cookie=ImmutableMultiDict(),
        ),
        content_type=content_type.lower(),
        body=body or None,
    )


def validate_request(
    spec_path: str, *, method: str, full_path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
) -> None:
    """Raise SpecViolation when the request does not match an operation of the spec."""
    openapi = openapi_for(spec_path)
    try:
        openapi.validate_request(_request(method=method, full_path=full_path, query=query, headers=headers, body=body))
    except Exception as exc:
        raise SpecViolation(f"request does not match the spec: {exc}", _errors(exc)) from exc


def validate_response(
    spec_path: str,
    *,
    method: str,
    full_path: str,
    query: dict[str, list[str]],
    request_headers: dict[str, str],
    request_body: bytes,
    status: int,
    content_type: str,
    body: bytes,
) -> None:
    """Raise SpecViolation when the response is not what the spec promises for this operation."""
    openapi = openapi_for(spec_path)
    request = _request(method=method, full_path=full_path, query=query, headers=request_headers, body=request_body)
    response = _Response(status_code=status, content_type=content_type, headers=Headers(), data=body)
    try:
        openapi.validate_response(request, response)
    except Exception as exc:
        raise SpecViolation(f"response does not match the spec: {exc}", _errors(exc)) from exc


def validate_schema(spec_path: str, schema_name: str, instance: Any) -> None:
    """Validate ``instance`` against ``#/components/schemas/<schema_name>`` (OpenAPI 3.0 dialect)."""
    from openapi_schema_validator import OAS30Validator

    openapi = openapi_for(spec_path)
    root = openapi.spec.read_value() if hasattr(openapi.spec, "read_value") else None
    if root is None:  # pragma: no cover - older jsonschema-path
        import yaml

        root = yaml.safe_load(Path(spec_path).read_text(encoding="utf-8"))
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": root["components"]}
    errors = [e.message for e in OAS30Validator(schema).iter_errors(instance)]
    if errors:
        raise SpecViolation(f"{schema_name} does not match the spec", errors)
