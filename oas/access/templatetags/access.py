"""Template tags: ``{% load access %}{% has_action "child.read" child as can_read %}``."""

from __future__ import annotations

from typing import Any

from django import template

from oas.access.evaluation import has_action, has_action_anywhere
from oas.access.principal import Actor

register = template.Library()


@register.simple_tag(takes_context=True, name="has_action")
def has_action_tag(context: dict[str, Any], action: str, target: Any = None) -> bool:
    """Return whether the current user may perform ``action`` on ``target`` (or anywhere, for no target)."""
    request = context.get("request")
    user: Actor | None = getattr(request, "user", None) or context.get("user")
    if user is None:
        return False
    from oas.access.actions import NONE, get_action

    if target is None and get_action(action).resource != NONE:
        return has_action_anywhere(user=user, action=action)
    return has_action(user=user, action=action, target=target)
