"""Read-only admin for the Office 365 events OAS wrote (our key → Graph's event id)."""

from __future__ import annotations

from django.contrib import admin

from integrations.admin.ops import _ReadOnly
from integrations.models import GraphEvent


@admin.register(GraphEvent)
class GraphEventAdmin(_ReadOnly):
    list_display = ("key", "user", "event_id", "revision", "deleted", "updated_at")
    list_filter = ("deleted",)
    search_fields = ("key", "user", "event_id")
