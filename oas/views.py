"""Kernel views: health and the landing page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oas.access.markers import public, requires
from oas.health import health_report
from oas.navigation import PUBLIC, NavItem, audience_of, item_units, nav_item, navigation_for, visible_children


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report PostgreSQL, Redis and Celery; 200 when all are healthy, else 503."""
    ok, checks = health_report()
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public front page with the two entrances; logged-in people go to their own home (portal or arbeidsflate)."""
    nav = navigation_for(request)
    if nav.audience != PUBLIC:
        return redirect(nav.home_url)
    return render(request, "home.html")


def _item_for(request: HttpRequest, key: str) -> NavItem:
    try:
        item = nav_item(key)
    except LookupError:
        raise Http404 from None
    if item.audience != audience_of(request.user):
        raise Http404
    return item


@requires("portal.view", "workspace.view")
@require_GET
def nav_section(request: HttpRequest, key: str) -> HttpResponse:
    """A menu section (e.g. "Opptak"): the entries in it the user may use; none → 404."""
    item = _item_for(request, key)
    entries = visible_children(user=request.user, key=key)
    if not entries:
        raise Http404
    return render(request, "nav/section.html", {"item": item, "entries": entries})


@requires("portal.view", "workspace.view")
@require_GET
def nav_units(request: HttpRequest, key: str) -> HttpResponse:
    """Choose the unit for a per-unit page (occupancy, placements): the units where the user has its action."""
    item = _item_for(request, key)
    if not item.unit_url_name:
        raise Http404
    units = list(item_units(user=request.user, item=item))
    if not units:
        raise PermissionDenied
    if len(units) == 1:
        return redirect(item.unit_url_name, unit_id=units[0].pk)
    entries = [(u, reverse(item.unit_url_name, kwargs={"unit_id": u.pk})) for u in units]
    return render(request, "nav/units.html", {"item": item, "entries": entries})


@requires("portal.view", "workspace.view")
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    """Innstillinger: language, and the settings pages of the modules the user may use (notifications, …)."""
    key = "guardian-settings" if audience_of(request.user) == "guardian" else "staff-settings"
    return render(request, "nav/settings.html", {"entries": visible_children(user=request.user, key=key)})


@public
@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    """Tilgjengelighetserklæring (linked from every page's footer)."""
    return render(request, "nav/accessibility.html")


@public
@require_GET
def privacy_statement(request: HttpRequest) -> HttpResponse:
    """Personvernerklæring (linked from every page's footer)."""
    return render(request, "nav/privacy.html")
