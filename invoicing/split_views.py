"""Shared residence (delt bosted): the guardian asks for a split invoice in the portal; the finance office
approves it, which creates the ``PaymentSplit`` the monthly run uses."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from invoicing import services
from invoicing.models import PaymentSplitRequest, SplitRequestStatus
from invoicing.views import _guardian_children, _month
from oas import clock
from oas.access.evaluation import access_queryset
from oas.access.getters import access_child, access_object
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import DomainError


@requires("invoicing.split.request")
@require_http_methods(["GET", "POST"])
def portal_split_request(request: HttpRequest) -> HttpResponse:
    """A guardian with foreldreansvar asks for the child's invoice to be split between the guardians."""
    account = request.user.account  # type: ignore[union-attr]
    children = _guardian_children(request)
    errors: list[str] = []
    if request.method == "POST":
        child_id = request.POST.get("child", "")
        # Someone else's child: 404 and a denied audit row, like every object check.
        child = access_child(
            user=request.user,
            id=child_id if child_id.isdigit() else 0,
            action="invoicing.split.request",
            audit_event="",
        )
        try:
            if account.person is None:
                raise DomainError(_("Kontoen mangler person."))
            services.payment_split_request_submit(
                child=child,
                requested_by=account.person,
                valid_from=_month(request.POST.get("fra")) or clock.today(),
                reason=request.POST.get("reason", ""),
                user_id=request.user.pk,
            )
            messages.success(request, _("Søknaden om delt faktura er sendt til fakturakontoret."))
            return redirect("invoicing:portal_split")
        except DomainError as exc:
            errors = [exc.message]
    mine = access_queryset(
        user=request.user,
        action="invoicing.split.read_own",
        queryset=PaymentSplitRequest.objects.select_related("child"),
    )
    return render(
        request,
        "invoicing/portal_split.html",
        {
            "children": children,
            "errors": errors,
            "requests": mine,
            "default_month": f"{clock.today():%Y-%m}",
        },
        status=400 if errors and not request.headers.get("HX-Request") else 200,
    )


@requires("invoicing.split.decide")
@require_GET
def split_requests(request: HttpRequest) -> HttpResponse:
    """The finance office's list of split requests waiting for a decision."""
    qs = access_queryset(
        user=request.user,
        action="invoicing.split.decide",
        queryset=PaymentSplitRequest.objects.select_related("child", "requested_by"),
    )
    rows = list(qs.filter(status=SplitRequestStatus.SUBMITTED)[:200])
    audit_read(event="invoicing.split_requests", person_ids=sorted({r.child_id for r in rows}))
    return render(request, "invoicing/split_requests.html", {"requests": rows})


@requires("invoicing.split.decide")
@require_POST
def split_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    """Approve (creates the PaymentSplit) or reject with a reason."""
    split_request = access_object(
        user=request.user,
        queryset=PaymentSplitRequest.objects.all(),
        id=request_id,
        action="invoicing.split.decide",
    )
    try:
        services.payment_split_request_decide(
            request=split_request,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
            user_id=request.user.pk,
        )
        messages.success(request, _("Søknaden om delt faktura er avgjort."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:split_requests")
