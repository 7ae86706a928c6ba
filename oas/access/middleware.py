"""Deny by default: every resolved view must be ``@public`` or declare its actions.

The Django admin keeps its own checks (``is_staff`` and model permissions; the system administrator role
sets ``is_staff``/``is_superuser``, see ``roles_recompute_for_employees``). DRF views are checked by the
default permission class ``oas.access.drf.DeclaredActions``; this middleware only makes sure they declare.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from oas.access.drf import DeclaredActions
from oas.access.evaluation import has_action_anywhere
from oas.access.markers import declared_actions, is_public
from oas.access.principal import CACHE_ENABLE_ATTR, principal_for
from oas.audit import context
from oas.audit.models import AuditAction
from oas.audit.services import audit_record

# Views from third-party code that are public by nature (they carry no marker we can add).
THIRD_PARTY_PUBLIC: tuple[Callable[..., Any], ...] = (set_language,)


def _is_admin(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and "admin" in match.namespaces


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            setattr(user, CACHE_ENABLE_ATTR, True)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if user.is_authenticated:
            ctx = context.current()
            if ctx is not None:
                principal = principal_for(user)
                ctx.acting_role = ctx.acting_role or principal.acting_role()
                # Audit rows (and the guardian's innsyn page) show the person's name, not the username.
                ctx.actor_display = principal.display_name or ctx.actor_display
        if is_public(view_func) or view_func in THIRD_PARTY_PUBLIC or _is_admin(request):
            return None
        actions = declared_actions(view_func)
        if actions is None:
            audit_record(action=AuditAction.DENIED, event="access.undeclared_view", details={"view": _name(view_func)})
            return self._refuse(request, status=403)
        drf_class = getattr(view_func, "cls", None)
        if drf_class is not None:
            # DRF: the permission class checks the actions (after DRF's own authentication, which may not be
            # the session). A view that swapped it out (e.g. for AllowAny) would bypass the check: refuse it.
            if any(isinstance(p, type) and issubclass(p, DeclaredActions) for p in drf_class.permission_classes):
                return None
            audit_record(action=AuditAction.DENIED, event="access.undeclared_view", details={"view": _name(view_func)})
            return self._refuse(request, status=403)
        return self._gate(request, actions)

    def _gate(self, request: HttpRequest, actions: tuple[str, ...]) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            if _is_api(request):
                body = {"message": _("Ikke innlogget."), "code": "not_authenticated", "fields": {}}
                return JsonResponse(body, status=401)
            return redirect_to_login(request.get_full_path())
        if not any(has_action_anywhere(user=user, action=a) for a in actions):
            audit_record(action=AuditAction.DENIED, event="access.view_denied", details={"actions": list(actions)})
            return self._refuse(request, status=403)
        return None

    @staticmethod
    def _refuse(request: HttpRequest, *, status: int) -> HttpResponse:
        if _is_api(request):
            return JsonResponse(
                {"message": _("Ingen tilgang."), "code": "permission_denied", "fields": {}}, status=status
            )
        from django.template import loader

        return HttpResponseForbidden(loader.render_to_string("403.html", request=request))


def _name(view_func: Callable[..., Any]) -> str:
    return f"{getattr(view_func, '__module__', '')}.{getattr(view_func, '__name__', repr(view_func))}"[:200]
