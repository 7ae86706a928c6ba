"""Markers that views carry so the deny-by-default check (oas.access) knows what they need.

``@public`` marks a view anyone may open (front page, health, login, public price calculator).
Every other page and API view must declare the action it requires; one that declares nothing is refused:

- function views: ``@requires("child.read")``
- class-based views: ``class ChildView(ActionRequiredMixin, TemplateView): required_actions = ("child.read",)``
- DRF API views: ``required_actions = ("child.read",)`` on the class (checked by ``oas.access.drf.DeclaredActions``,
  the default permission class).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

V = TypeVar("V", bound=Callable[..., object])


def public(view: V) -> V:
    """Mark a view (function, or the class of a class-based view) as open to everyone, logged in or not."""
    view.oas_public = True  # type: ignore[attr-defined]
    return view


def requires(*actions: str) -> Callable[[V], V]:
    """Declare the actions a function view needs; the user must have at least one of them somewhere.

    The object itself is checked inside the view with an ``access_<entity>`` getter.
    """
    if not actions:
        raise ValueError("requires() needs at least one action")

    def mark(view: V) -> V:
        from oas.access.actions import get_action

        for code in actions:
            get_action(code)  # fail at import time on a typo
        view.oas_actions = tuple(actions)  # type: ignore[attr-defined]
        return view

    return mark


class ActionRequiredMixin:
    """Mixin for class-based views: set ``required_actions``; the middleware enforces it."""

    required_actions: ClassVar[tuple[str, ...]] = ()


def declared_actions(view_func: Any) -> tuple[str, ...] | None:
    """Return the actions a resolved view declares, or None when it declares none."""
    for holder in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None)):
        if holder is None:
            continue
        actions = getattr(holder, "oas_actions", None) or getattr(holder, "required_actions", None)
        if actions:
            return tuple(actions)
    return None


def is_public(view_func: Any) -> bool:
    """Return whether a resolved view is marked ``@public``."""
    return any(
        getattr(holder, "oas_public", False)
        for holder in (view_func, getattr(view_func, "view_class", None), getattr(view_func, "cls", None))
        if holder is not None
    )
