"""Pages: the finance office's monthly run (preview, commit), application handling; the guardian's application."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from invoicing import services, siblings
from invoicing.models import ApplicationKind, ApplicationStatus, FeeApplication, InvoiceRun
from invoicing.selectors import person_names
from oas import clock, uploads
from oas.access.evaluation import access_queryset
from oas.access.getters import access_object
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.people.models import RelationKind
from oas.portal.selectors import my_children
from oas.text import amount_parse


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(f"{value}-01")
    except ValueError:
        return None


def _municipality(request: HttpRequest) -> str:
    """The municipality asked for, else the one this installation serves."""
    return request.POST.get("kommune") or request.GET.get("kommune") or settings.FREG_MUNICIPALITY_NUMBER


@requires("invoicing.run.manage")
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """The monthly runs; with ?maaned=YYYY-MM a dry run (preview) of that month."""
    municipality = _municipality(request)
    month = _month(request.GET.get("maaned"))
    preview = None
    rate_warnings: list[str] = []
    error = "" if month is not None or not request.GET.get("maaned") else _("Ugyldig måned: bruk formatet ÅÅÅÅ-MM.")
    if month is not None:
        try:
            preview = services.invoice_run_preview(municipality_number=municipality, month=month)
            rate_warnings = services.invoice_run_rate_warnings(municipality_number=municipality, month=month)
        except DomainError as exc:
            error = exc.message
        if preview is not None:
            audit_read(
                event="invoicing.run.preview",
                person_ids=sorted({line.child_id for line in preview.basis.lines}),
                details={"month": f"{month:%Y-%m}"},
            )
    lines = preview.basis.lines[:200] if preview else []
    names = person_names(ids=[i for line in lines for i in (line.child_id, line.payer_id)])
    return render(
        request,
        "invoicing/runs.html",
        {
            "runs": InvoiceRun.objects.filter(municipality_number=municipality)[:24],
            "preview": preview,
            "preview_lines": [
                {"line": line, "child": names.get(line.child_id, ""), "payer": names.get(line.payer_id, "")}
                for line in lines
            ],
            "rate_warnings": rate_warnings,
            "error": error,
            "month": month,
            "municipality": municipality,
            "default_month": f"{clock.today():%Y-%m}",
        },
    )


@requires("invoicing.run.manage")
@require_POST
def run_commit(request: HttpRequest) -> HttpResponse:
    """Commit a month (a committed month is not changed; a stopped run is resumed)."""
    month = _month(request.POST.get("maaned"))
    if month is None:
        messages.error(request, _("Velg en måned."))
        return redirect("invoicing:runs")
    if request.POST.get("bekreft") != "ja":
        # Irreversible: the preview says what will happen and asks for this confirmation.
        messages.error(request, _("Måneden er ikke fakturert: bekreft at du vil fakturere."))
        return redirect(f"{reverse('invoicing:runs')}?maaned={month:%Y-%m}")
    try:
        run = services.invoice_run_commit(
            municipality_number=_municipality(request),
            month=month,
            user_id=request.user.pk,
            confirm_unconfirmed_rates=request.POST.get("bekreft_satser") == "ja",
        )
        messages.success(
            request, _("%(month)s er fakturert: %(n)s linjer.") % {"month": f"{month:%m.%Y}", "n": run.line_count}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:runs")


def _attachment(upload: Any) -> services.AttachmentIn | None:
    """Stream the posted file to disk within the size limit and check its content before reading it."""
    if not upload:
        return None
    accepted = uploads.upload_accept(
        source=upload,
        filename=upload.name or "vedlegg",
        allowed=services.ATTACHMENT_TYPES,
        max_bytes=services.MAX_ATTACHMENT_BYTES,
    )
    return services.AttachmentIn(
        filename=accepted.filename, content_type=accepted.content_type, content=accepted.content
    )


def _guardian_children(request: HttpRequest) -> list[Any]:
    return [c for c in my_children(user=request.user) if c.relation_kind == RelationKind.GUARDIAN]


@requires("invoicing.application.submit")
@require_http_methods(["GET", "POST"])
def portal_application(request: HttpRequest) -> HttpResponse:
    """The guardian applies for reduced fee / free hours with income documentation."""
    account = request.user.account  # type: ignore[union-attr]
    children = _guardian_children(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.FILES.get("attachment")
        try:
            income = amount_parse(
                value=request.POST.get("annual_income", ""),
                field="annual_income",
                maximum=services.MAX_INCOME,
                label=_("Inntekten"),
            )
            if account.person is None:  # a guardian account always has a person (DB constraint)
                raise DomainError(_("Kontoen mangler person."))
            services.fee_application_submit(
                applicant=account.person,
                child_ids=[int(c) for c in request.POST.getlist("children") if c.isdigit()],
                kind=request.POST.get("kind", ""),
                annual_income=income,
                valid_from=_month(request.POST.get("fra")) or clock.today(),
                attachment=_attachment(upload),
                allowed_child_ids={c.child_id for c in children},
            )
            messages.success(request, _("Søknaden er sendt. Du får vedtaket i digital postkasse."))
            return redirect("invoicing:portal_application")
        except DomainError as exc:
            errors = {k: list(v) for k, v in exc.fields.items()} or {"__all__": [exc.message]}
    mine = access_queryset(
        user=request.user, action="invoicing.application.read", queryset=FeeApplication.objects.all()
    )
    return render(
        request,
        "invoicing/portal_application.html",
        {"children": children, "kinds": ApplicationKind.choices, "errors": errors, "applications": mine},
        status=400 if errors else 200,
    )


@requires("invoicing.application.decide")
@require_GET
def applications(request: HttpRequest) -> HttpResponse:
    """The finance office's list of applications to decide."""
    qs = access_queryset(
        user=request.user,
        action="invoicing.application.decide",
        queryset=FeeApplication.objects.select_related("applicant").prefetch_related("children"),
    )
    rows = list(qs.filter(status=ApplicationStatus.SUBMITTED)[:200])
    audit_read(event="invoicing.applications", person_ids=[a.applicant_id for a in rows])
    return render(request, "invoicing/applications.html", {"applications": rows})


@requires("invoicing.application.decide")
@require_GET
def application_documentation(request: HttpRequest, application_id: int) -> HttpResponse:
    """The caseworker opens the income documentation of an application (a download; every opening audited)."""
    application = access_object(
        user=request.user,
        queryset=FeeApplication.objects.all(),
        id=application_id,
        action="invoicing.application.decide",
    )
    audit_read(
        event="invoicing.application.documentation",
        person_ids=[application.applicant_id, *application.children.values_list("pk", flat=True)],
        object_type="invoicing.FeeApplication",
        object_id=application.pk,
    )
    # Always a download with the type checked at upload (never rendered inline in our origin).
    response = HttpResponse(bytes(application.attachment), content_type=application.attachment_type)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=application.attachment_name or "dokumentasjon")
        or "attachment"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@requires("invoicing.application.decide")
@require_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    """Approve or reject; the decision letter goes out through SvarUt and into the archive."""
    application = access_object(
        user=request.user,
        queryset=FeeApplication.objects.all(),
        id=application_id,
        action="invoicing.application.decide",
    )
    try:
        services.fee_application_decide(
            application=application,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", ""),
            user_id=request.user.pk,
        )
        messages.success(request, _("Vedtaket er fattet og brevet sendt."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:applications")


@requires("invoicing.siblings.manage")
@require_http_methods(["GET", "POST"])
def manual_siblings(request: HttpRequest) -> HttpResponse:
    """The finance office registers siblings by hand (children with strengt fortrolig address)."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            valid_from = _date(request.POST.get("fra"))
            if valid_from is None:
                raise DomainError(_("Oppgi en gyldig fra-dato."), fields={"valid_from": [_("Ugyldig dato.")]})
            siblings.manual_sibling_register(
                first_national_id=request.POST.get("barn1", ""),
                second_national_id=request.POST.get("barn2", ""),
                valid_from=valid_from,
                reason=request.POST.get("grunnlag", ""),
                user_id=request.user.pk,
            )
            messages.success(request, _("Søsknene er registrert."))
            return redirect("invoicing:manual_siblings")
        except DomainError as exc:
            errors = {k: list(v) for k, v in exc.fields.items()} or {"__all__": [exc.message]}
            if "__all__" not in errors:
                errors["__all__"] = [exc.message]
    links = list(siblings.manual_siblings_current(on=clock.today()))
    audit_read(
        event="invoicing.manual_siblings",
        person_ids=sorted({p for link in links for p in (link.child_id, link.sibling_id)}),
    )
    return render(
        request,
        "invoicing/manual_siblings.html",
        {"links": links, "errors": errors, "today": clock.today()},
        status=400 if errors else 200,
    )


@requires("invoicing.siblings.manage")
@require_POST
def manual_sibling_end(request: HttpRequest, link_id: int) -> HttpResponse:
    """End a registration (from the given date)."""
    try:
        siblings.manual_sibling_end(
            link_id=link_id, valid_to=_date(request.POST.get("til")) or clock.today(), user_id=request.user.pk
        )
        messages.success(request, _("Registreringen er avsluttet."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("invoicing:manual_siblings")


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None
