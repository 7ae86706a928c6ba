"""Staff pages: the arbeidsflate, the children list and one child's page. Thin: selectors do the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from oas.access.evaluation import has_action, has_action_anywhere, permitted_actions
from oas.access.getters import access_child
from oas.access.markers import requires
from oas.access.principal import principal_for
from oas.access.privacy import (
    child_adults_current,
    child_placements_view,
    person_contact_view,
    persons_contact_view,
)
from oas.access.roles import Role
from oas.arbeidsflate.registry import registry
from oas.arbeidsflate.rendering import figures_html
from oas.arbeidsflate.selectors import children_for_staff, workspace_figures
from oas.audit.services import audit_read
from oas.people.models import Person

if TYPE_CHECKING:
    from oas.access.principal import Actor


@requires("workspace.view")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The staff landing page: tasks from every module, and the snapshot for leaders."""
    figures = workspace_figures(user=request.user)
    principal = principal_for(request.user)
    html = figures_html(
        tasks=figures.tasks,
        snapshots=figures.snapshots,
        computed_at=figures.computed_at,
        # (code, the role's Norwegian name, unit): people read "Leder (rektor/styrer)", not "unit_leader".
        roles=sorted({(r.role, str(Role(r.role).label), r.unit_name) for r in principal.roles}),
        notification_types=registry.notification_types(),
    )
    return render(request, "arbeidsflate/home.html", {"figures_html": html})


@requires("workspace.view")
@require_GET
def children(request: HttpRequest) -> HttpResponse:
    """Staff: the children the user may read, filtered in SQL; the persons shown are audit-logged.

    A staff page: the gate is ``workspace.view`` (staff and break-glass accounts only), so guardians — who
    hold ``child.read`` for their own children — get 403 here and find their children in the portal.
    """
    unit = request.GET.get("unit", "")
    if request.GET.get("protected") == "1" and not has_action_anywhere(
        user=request.user, action="child.list_protected"
    ):
        raise PermissionDenied(_("Du har ikke tilgang til listen over barn med beskyttet adresse."))
    task_key = request.GET.get("oppgave", "")
    if task_key:
        # The children a task counts, exactly: the figure on the arbeidsflate and this list agree.
        qs = _task_children(user=request.user, key=task_key)
    else:
        qs = children_for_staff(
            user=request.user,
            protected_only=request.GET.get("protected") == "1",
            without_group=request.GET.get("nogroup") == "1",
            unit_id=int(unit) if unit.isdigit() else None,
            delt_bosted=request.GET.get("delt") == "1",
        )
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    audit_read(event="child.list", person_ids=[p.pk for p in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)  # the next page keeps the filters
    return render(request, "arbeidsflate/children.html", {"page": page, "query": query.urlencode()})


def _task_children(*, user: Actor, key: str) -> QuerySet[Person]:
    task = registry.count_task(key)
    rows = task.rows_for(user=user) if task is not None else None
    if rows is None or rows.model is not Person:
        return Person.objects.none()  # no such list, or not the user's task: nothing, as the arbeidsflate shows
    return rows.order_by("last_name", "first_name", "pk")


@requires("child.read")
@require_GET
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    """One child for staff: 404 (and an audit row) unless the user may read the child."""
    child = access_child(user=request.user, id=child_id)
    contacts = []
    if has_action(user=request.user, action="child.read_contacts", target=child):
        adults = child_adults_current(child=child)
        contacts = list(
            zip(adults, persons_contact_view(user=request.user, persons=[r.adult for r in adults]), strict=True)
        )
        audit_read(event="child.read_contacts", person_ids=[child.pk, *(rel.adult_id for rel in adults)])
    context = {
        "child": child,
        "child_contact": person_contact_view(user=request.user, person=child),
        "placements": child_placements_view(user=request.user, child=child),
        "contacts": contacts,
        "permitted_actions": permitted_actions(user=request.user, target=child),
    }
    return render(request, "arbeidsflate/child_detail.html", context)
