"""The arbeidsflate (staff workspace) registry.

Each app contributes task providers in its ``AppConfig.ready()``::

    from oas.arbeidsflate.registry import registry
    registry.register_task_provider(MyProvider())

The kernel never imports the domain apps; they register themselves here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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


class TaskProvider(Protocol):
    key: str
    module: str

    def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
        """Return the tasks this provider has for ``user`` (already filtered by their access)."""
        ...


class Registry:
    def __init__(self) -> None:
        self._providers: dict[str, TaskProvider] = {}

    def register_task_provider(self, provider: TaskProvider) -> None:
        self._providers[provider.key] = provider

    def providers(self) -> list[TaskProvider]:
        return list(self._providers.values())


registry = Registry()
