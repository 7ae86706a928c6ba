"""OpenAPI schema generation (drf-spectacular) adapted to the house style.

Views nest their serializers (``ThreadStartApi.InputSerializer``, HackSoft style), so every API would
publish components called ``Input`` and ``Output`` that collide. Nested serializers are named after
their view instead: ``ThreadStartApiInput``.

The schema says what the server does: a list that may not be empty (``allow_empty=False``) has
``minItems: 1``; every operation documents the API's one error shape (``Error``: ``message``, ``code``,
``fields``, see ``oas/api.py``) for the refusals it can meet (``error_responses_hook``): 400 for input,
401/403 where a login is needed, 404 (what the user may not see does not exist), 409 for writes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The API's one error shape.",
    "properties": {
        "message": {"type": "string", "description": "For people (bokmål unless the request asked otherwise)."},
        "code": {"type": "string", "description": "For programs: invalid, not_found, conflict, throttled, …"},
        "fields": {
            "type": "object",
            "description": "Per input field (dotted paths for nested fields), its messages; empty when none.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["message", "code", "fields"],
}
ERROR_DESCRIPTIONS = {
    "400": "Ugyldig input; feltene er navngitt i fields.",
    "401": "Ikke innlogget.",
    "403": "Ikke tilgang (eller CSRF-kontrollen feilet).",
    "404": "Finnes ikke, eller brukeren har ikke tilgang til det.",
    "409": "I konflikt med gjeldende tilstand.",
}
WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        """Return the component name; serializers nested in a view class carry the view's name."""
        qualname = type(serializer).__qualname__
        if "." not in qualname or "<locals>" in qualname:
            return super().get_serializer_name(serializer, direction)  # type: ignore[arg-type]
        return qualname.replace(".", "")

    def _map_serializer_field(self, field: Any, direction: str, bypass_extensions: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            isinstance(field, serializers.ListSerializer | serializers.ListField)
            and not getattr(field, "allow_empty", True)
            and result.get("type") == "array"
        ):
            result["minItems"] = max(int(result.get("minItems", 0)), 1)
        return result


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> list[str]:
    security = operation.get("security") or [{}]
    needs_login = any(requirement for requirement in security)
    has_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    codes = []
    if method in WRITE_METHODS or has_query:
        codes.append("400")
    if needs_login:
        codes += ["401", "403"]
    if needs_login or "{" in path:
        codes.append("404")
    if method in WRITE_METHODS and needs_login:
        codes.append("409")
    return codes


def error_responses_hook(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the ``Error`` component and the refusals of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code in _error_codes(path, method, operation):
                responses.setdefault(code, {"description": ERROR_DESCRIPTIONS[code], "content": reference})
    return result
