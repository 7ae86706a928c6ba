"""Markers that views carry so the deny-by-default check (oas.access) knows what they need.

``@public`` marks a view anyone may open (front page, health, login, public price calculator).
Every other page and API view must declare the action it requires; one that declares nothing is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

V = TypeVar("V", bound=Callable[..., object])


def public(view: V) -> V:
    """Mark a view as open to everyone, logged in or not."""
    view.oas_public = True  # type: ignore[attr-defined]
    return view
