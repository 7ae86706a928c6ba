"""Pages: Folkeregisteret changes staff of a unit must look at (linked from the arbeidsflate)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from integrations.freg.services import register_change_notices_resolve
from integrations.models import RegisterChangeNotice
from oas.access.evaluation import access_queryset, has_action
from oas.access.markers import requires
from oas.audit.services import audit_read


@requires("integrations.register_change.read")
@require_GET
def register_changes(request: HttpRequest) -> HttpResponse:
    """Open changes for children at the units the user may see (lists filtered in SQL)."""
    notices = list(
        access_queryset(
            user=request.user,
            action="integrations.register_change.read",
            queryset=RegisterChangeNotice.objects.filter(resolved_at__isnull=True).select_related("person", "unit"),
        ).order_by("unit__name", "-created_at")
    )
    audit_read(event="integrations.register_changes", person_ids=[n.person_id for n in notices])
    rows = [
        {
            "notice": n,
            "can_resolve": has_action(user=request.user, action="integrations.register_change.resolve", target=n),
        }
        for n in notices
    ]
    return render(request, "integrations/register_changes.html", {"rows": rows})


@requires("integrations.register_change.resolve")
@require_POST
def register_change_resolve(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Mark one change as handled; a notice the user may not act on is "not found"."""
    notice = (
        access_queryset(
            user=request.user,
            action="integrations.register_change.resolve",
            queryset=RegisterChangeNotice.objects.filter(pk=notice_id),
        )
        .only("id")
        .first()
    )
    if notice is None:
        raise Http404
    register_change_notices_resolve(notice_ids=[notice.pk], user_id=request.user.pk)
    messages.success(request, _("Endringen er markert som behandlet."))
    return redirect("integrations:register_changes")
