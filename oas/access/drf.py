"""The default DRF permission class: deny any API view that did not declare what it needs."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from oas.access.evaluation import has_action_anywhere
from oas.access.markers import declared_actions, is_public
from oas.audit.models import AuditAction
from oas.audit.services import audit_record


class DeclaredActions(BasePermission):
    """Allow a view that is ``@public``, or whose ``required_actions`` the user has somewhere.

    Object checks happen in the view through ``access_<entity>`` getters (404 when not allowed).
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if is_public(view) or is_public(type(view)):
            return True
        actions = declared_actions(type(view))
        if not actions:
            return False
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if any(has_action_anywhere(user=user, action=a) for a in actions):
            return True
        audit_record(action=AuditAction.DENIED, event="access.api_denied", details={"actions": list(actions)})
        return False
