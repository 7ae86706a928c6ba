"""The arbeidsflate's figures as HTML, rendered once per distinct content and reused (per worker process).

Most page views of the arbeidsflate show figures reused from Redis (``workspace_figures``), so the same HTML
would be rendered again and again. The fragment is kept in a small in-process LRU keyed by a digest of exactly
what it shows: the language, the time zone, the roles, the snapshots, the tasks (titles, counts, links), the
notification types and ``computed_at``. Different content is a different key; nothing is shared that differs.
Access is not decided here: the view is gated and the figures were filtered for the user before this runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from oas.arbeidsflate.registry import NotificationType, WorkspaceTask

TEMPLATE = "arbeidsflate/_figures.html"
MAX_ENTRIES = 512

_fragments: OrderedDict[str, SafeString] = OrderedDict()
_lock = threading.Lock()


def figures_html(
    *,
    roles: list[tuple[str, str, str]],
    snapshots: list[Any],
    tasks: list[WorkspaceTask],
    notification_types: list[NotificationType],
    computed_at: dt.datetime,
) -> SafeString:
    """Return the rendered figures, from the per-process cache when this exact content was rendered before."""
    context = {
        "roles": roles,
        "snapshots": snapshots,
        "tasks": tasks,
        "notification_types": notification_types,
        "computed_at": computed_at,
    }
    signature = repr((TEMPLATE, get_language(), timezone.get_current_timezone_name(), sorted(context.items())))
    key = hashlib.sha256(signature.encode()).hexdigest()
    with _lock:
        html = _fragments.get(key)
        if html is not None:
            _fragments.move_to_end(key)
            return html
    html = mark_safe(render_to_string(TEMPLATE, context))  # noqa: S308 - our own template's autoescaped output
    with _lock:
        _fragments[key] = html
        while len(_fragments) > MAX_ENTRIES:
            _fragments.popitem(last=False)
    return html


def figures_html_clear() -> None:
    """Forget every rendered fragment of this process (tests)."""
    with _lock:
        _fragments.clear()
