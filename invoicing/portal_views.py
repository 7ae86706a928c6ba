"""The guardian's invoices: what they pay each month, per child, with how each price was calculated."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invoicing.models import FeeApplication
from invoicing.selectors import invoices_for_payer
from oas.access.evaluation import access_queryset
from oas.access.markers import requires
from oas.access.principal import principal_for
from oas.audit.services import audit_read


@requires("invoicing.invoice.read_own")
@require_GET
def portal_invoices(request: HttpRequest) -> HttpResponse:
    """Faktura: my invoices (payer = me) month by month, and my decisions on reduced fees."""
    person_id = principal_for(request.user).person_id
    months = invoices_for_payer(user=request.user, payer_id=person_id) if person_id else []
    decisions = access_queryset(
        user=request.user, action="invoicing.application.read", queryset=FeeApplication.objects.all()
    ).order_by("-submitted_at")[:20]
    audit_read(event="invoicing.portal_invoices", person_ids=[person_id] if person_id else [])
    return render(request, "invoicing/portal_invoices.html", {"months": months, "decisions": decisions})
