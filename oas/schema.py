"""OpenAPI schema generation (drf-spectacular) adapted to the house style.

Views nest their serializers (``ThreadStartApi.InputSerializer``, HackSoft style), so every API would
publish components called ``Input`` and ``Output`` that collide. Nested serializers are named after
their view instead: ``ThreadStartApiInput``.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers


class AutoSchema(SpectacularAutoSchema):
    def get_serializer_name(self, serializer: serializers.Serializer, direction: str) -> str:
        """Return the component name; serializers nested in a view class carry the view's name."""
        qualname = type(serializer).__qualname__
        if "." not in qualname or "<locals>" in qualname:
            return super().get_serializer_name(serializer, direction)  # type: ignore[arg-type]
        return qualname.replace(".", "")
