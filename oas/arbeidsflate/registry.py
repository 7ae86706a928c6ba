"""The arbeidsflate (staff workspace) registry.

Each app contributes task providers (and notification types) in its ``AppConfig.ready()``::

    from oas.arbeidsflate.registry import NotificationType, WorkspaceTask, registry

    class WaitingApplications:
        key = "kindergarten.applications_waiting"
        module = "kindergarten"

        def tasks_for(self, *, user) -> list[WorkspaceTask]:
            qs = access_queryset(user=user, action="kindergarten.application.decide", queryset=...)
            n = qs.filter(status="waiting").count()
            return [WorkspaceTask(key=self.key, title="Søknader som venter", count=n, url=..., module=self.module)] if n else []

    registry.register_task_provider(WaitingApplications())
    registry.register_notification_type(NotificationType(key="messaging.unread", label="Uleste meldinger", module="messaging"))

A provider must return only what the user may see: filter with ``oas.access.evaluation.access_queryset``
(one query per count). Return an empty list when the user has nothing (the task is then not shown).
The kernel never imports the domain apps; they register themselves here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceTask:
    """One line in a user's arbeidsflate: what needs doing, how many, and where to do it."""

    key: str
    title: str
    count: int
    url: str
    module: str
    severity: str = "info"  # info | warning | danger
    unit_id: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationType:
    """A kind of notification a module can send to staff (listed on the arbeidsflate and in the API)."""

    key: str
    label: StrOrPromise
    module: str
    description: StrOrPromise = ""


@dataclass(frozen=True)
class SnapshotFigure:
    """One figure in a unit leader's snapshot, with the page that acts on it; ``alert`` shows it in red."""

    key: str
    label: StrOrPromise
    value: str
    url: str = ""
    alert: bool = False
    note: StrOrPromise = ""


# (units led: id → path, day) → {unit id: figures}. Called once for all the units of a request (batch it).
SnapshotProvider = Callable[[dict[int, str], dt.date], dict[int, list[SnapshotFigure]]]


class TaskProvider(Protocol):
    key: str
    module: str

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        """Return the tasks this provider has for ``user`` (already filtered by their access)."""
        ...


SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}


class Registry:
    def __init__(self) -> None:
        self._providers: dict[str, TaskProvider] = {}
        self._notification_types: dict[str, NotificationType] = {}
        self._snapshot_providers: dict[str, SnapshotProvider] = {}

    def register_task_provider(self, provider: TaskProvider) -> None:
        self._providers[provider.key] = provider

    def providers(self) -> list[TaskProvider]:
        return list(self._providers.values())

    def register_notification_type(self, notification_type: NotificationType) -> None:
        self._notification_types[notification_type.key] = notification_type

    def notification_types(self) -> list[NotificationType]:
        return sorted(self._notification_types.values(), key=lambda n: n.key)

    def register_snapshot_provider(self, key: str, provider: SnapshotProvider) -> None:
        """Add figures to the leader's snapshot of a unit (capacity, norms, …); the kernel never computes them."""
        self._snapshot_providers[key] = provider

    def snapshot_figures(self, *, units: dict[int, str], day: dt.date) -> dict[int, list[SnapshotFigure]]:
        """Every provider's figures for these units; a failing provider is logged and skipped."""
        out: dict[int, list[SnapshotFigure]] = {unit_id: [] for unit_id in units}
        for key, provider in sorted(self._snapshot_providers.items()):
            try:
                guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
                with guard:
                    for unit_id, figures in provider(units, day).items():
                        out.setdefault(unit_id, []).extend(figures)
            except Exception:
                logger.exception("arbeidsflate snapshot provider %s failed", key)
        return out

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        """Collect every provider's tasks for ``user``; a failing provider is logged and skipped."""
        tasks: list[WorkspaceTask] = []
        for provider in self.providers():
            try:
                # Inside a transaction a failing query would poison it: isolate each provider in a savepoint.
                guard = transaction.atomic() if transaction.get_connection().in_atomic_block else nullcontext()
                with guard:
                    tasks.extend(provider.tasks_for(user=user))
            except Exception:
                # One broken module must not take the whole workspace down.
                logger.exception("arbeidsflate provider %s failed", provider.key)
        return sorted(tasks, key=lambda t: (SEVERITY_ORDER.get(t.severity, 3), t.module, t.key, t.unit_id or 0))


registry = Registry()
