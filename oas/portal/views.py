"""Guardian portal pages: home ("mine barn"), one child, and innsyn (who has looked at my child's data)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from oas.access.getters import access_child
from oas.access.markers import requires
from oas.access.privacy import child_placements_view, placement_is_hidden
from oas.audit.selectors import audit_events_for_person
from oas.audit.services import audit_read
from oas.portal.registry import portal_registry
from oas.portal.selectors import my_children


@requires("portal.view")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Mine barn: each child with kindergarten/school/SFO, contacts and what needs attention."""
    children = my_children(user=request.user)
    child_ids = [c.child_id for c in children]
    audit_read(event="portal.children", person_ids=child_ids)
    attention = portal_registry.items_for(user=request.user, child_ids=child_ids)
    return render(request, "portal/home.html", {"children": children, "attention": attention})


@requires("portal.view")
@require_GET
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    """One of my children; another child's ID gives 404 and an audit row."""
    child = access_child(user=request.user, id=child_id, audit_event="portal.child")
    placements = child_placements_view(user=request.user, child=child)
    return render(request, "portal/child.html", {"child": child, "placements": placements})


@requires("portal.view")
@require_GET
def innsyn(request: HttpRequest, child_id: int) -> HttpResponse:
    """Who has read or changed my child's data: names, roles, when and what."""
    child = access_child(user=request.user, id=child_id, action="child.audit_innsyn", audit_event="")
    entries = audit_events_for_person(
        person_id=child.pk,
        exclude_user_id=request.user.pk,
        hide_staff_identity=placement_is_hidden(user=request.user, child=child),
    )
    return render(request, "portal/innsyn.html", {"child": child, "entries": entries})
