"""The arbeidsflate (staff workspace) registry.

Each app declares its tasks in ``<app>/arbeidsflate.py`` and registers them in its ``AppConfig.ready()``.
Most tasks are "gate → count → task": declare them as a ``CountTask``::

    from oas.arbeidsflate.registry import CountTask, registry

    WAITING = CountTask(
        key="kindergarten.applications_waiting",
        module="kindergarten",
        title=gettext_lazy("Søknader som venter"),
        action="kindergarten.application.decide",  # the gate: shown only to users who may do it somewhere
        rows=lambda user: access_queryset(user=user, action="kindergarten.application.decide", queryset=...),
        url=lambda: reverse("kindergarten_pages:office_applications"),
    )
    registry.register_task_providers([WAITING])

``rows(user)`` returns the rows the task is about, already filtered by the user's access
(``oas.access.evaluation.access_queryset``: one query for the count). The count is ``rows(user).count()``, and
a list the task links to shows the same rows (the staff children list takes ``?oppgave=<key>`` and lists
``rows(user)`` of that task), so the figure and the list agree. No rows: no task.

A provider that yields several lines (one per unit or group) implements ``TaskProvider`` itself.
The kernel never imports the domain apps; they register themselves here.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from oas.access.principal import Actor

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
    @property
    def key(self) -> str: ...

    @property
    def module(self) -> str: ...

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
        """Return the tasks this provider has for ``user`` (already filtered by their access)."""
        ...


def admin_url(name: str, query: str = "") -> str:
    """Return the URL of a Django admin page, or "" when the admin is not mounted."""
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def children_url(**params: str) -> str:
    """Return the staff children list with these filters; ``oppgave=<key>`` lists the rows of that count task."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("arbeidsflate:children") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class CountTask:
    """One task line declared as data: who sees it (the gate), which rows it counts, and where to act on them.

    The gate is any of ``action`` (the user may perform it somewhere), ``roles`` (the user holds one of them,
    for tasks that belong to a role rather than an action) and ``gate`` (anything else); all given must hold.
    ``title`` and ``url`` may be callables, evaluated per request (the language, the year).
    """

    key: str
    module: str
    title: StrOrPromise | Callable[[], str]
    rows: Callable[[Actor], QuerySet[Any]]
    url: str | Callable[[], str] = ""
    severity: str = "info"  # info | warning | danger
    action: str = ""
    roles: frozenset[str] = frozenset()
    gate: Callable[[Actor], bool] | None = None
    show_zero: bool = False  # a figure to know (e.g. children in kindergarten today) rather than work to do

    def admits(self, *, user: Actor) -> bool:
        """Return whether the task is for this user at all (no query but the principal's)."""
        from oas.access.evaluation import has_action_anywhere
        from oas.access.principal import principal_for

        if self.roles and not principal_for(user).role_codes & self.roles:
            return False
        if self.action and not has_action_anywhere(user=user, action=self.action):
            return False
        return self.gate is None or self.gate(user)

    def rows_for(self, *, user: Actor) -> QuerySet[Any] | None:
        """Return the rows the task counts for ``user`` (None when the task is not for them)."""
        return self.rows(user) if self.admits(user=user) else None

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
        rows = self.rows_for(user=user)
        if rows is None:
            return []
        count = rows.count()
        if not count and not self.show_zero:
            return []
        title = self.title() if callable(self.title) else str(self.title)
        url = self.url() if callable(self.url) else self.url
        return [WorkspaceTask(self.key, title, count, url, self.module, self.severity)]


SEVERITY_ORDER = {"danger": 0, "warning": 1, "info": 2}


class Registry:
    def __init__(self) -> None:
        self._providers: dict[str, TaskProvider] = {}
        self._notification_types: dict[str, NotificationType] = {}
        self._snapshot_providers: dict[str, SnapshotProvider] = {}

    def register_task_provider(self, provider: TaskProvider) -> None:
        self._providers[provider.key] = provider

    def register_task_providers(self, providers: Iterable[TaskProvider]) -> None:
        for provider in providers:
            self.register_task_provider(provider)

    def providers(self) -> list[TaskProvider]:
        return list(self._providers.values())

    def count_task(self, key: str) -> CountTask | None:
        """Return the declared count task with this key (None when there is none)."""
        provider = self._providers.get(key)
        return provider if isinstance(provider, CountTask) else None

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

    def tasks_for(self, *, user: Actor) -> list[WorkspaceTask]:
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
