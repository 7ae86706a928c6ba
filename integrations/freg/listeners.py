"""Domain apps that act on register changes (a pupil moving in or out) register a listener here.

The feed sync calls every listener inside the page's transaction, after the people kernel has been updated, with
the persons the page created or changed: what changed (field → (before, after)) and the feed sequence number, so a
listener can be idempotent per event (a redelivered page finds nothing changed, and the sequence is the key).
Listeners are registered from an app's ``ready()`` (the integration never imports the domains).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisterPersonChange:
    """One person the feed created or changed."""

    person_id: int
    sequence: int | None
    created: bool
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    # The day the register says the person's current residence took effect (bostedsadresse's flyttedato /
    # gyldighetstidspunkt, or the emigration's date): a move may be reported late or ahead; None when not given.
    moved_on: dt.date | None = None


RegisterChangeListener = Callable[[Sequence[RegisterPersonChange], dt.date], object]

_listeners: list[RegisterChangeListener] = []


def register_change_listener(listener: RegisterChangeListener) -> None:
    """Register a listener for persons created or changed by the register feed (idempotent)."""
    if listener not in _listeners:
        _listeners.append(listener)


def register_change_listeners_call(*, changes: Sequence[RegisterPersonChange], today: dt.date) -> None:
    """Call every listener (inside the feed page's transaction: a failure rolls the page back and it is retried)."""
    if not changes:
        return
    for listener in _listeners:
        listener(changes, today)
