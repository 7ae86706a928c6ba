"""Admission pages: the guardian portal (apply, follow, answer offers) and the sector office (rounds, work list,
matching, review, publish). Thin: forms parse, services decide, access is checked with ``oas.access``."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kindergarten import selectors, services
from kindergarten.forms import (
    ApplicationChangeForm,
    ApplicationForm,
    CapacityForm,
    LockForm,
    OfferAnswerForm,
    RoundForm,
)
from kindergarten.models import (
    AdmissionRound,
    AgeGroup,
    Appeal,
    Application,
    ApplicationStatus,
    Attachment,
    GroundKind,
    Offer,
    PriorityGround,
    Programme,
    RoundState,
)
from oas import clock
from oas.access.getters import access_child, access_object
from oas.access.markers import requires
from oas.access.selectors import access_queryset
from oas.errors import DomainError, ValidationError
from oas.forms import form_add_domain_errors
from oas.organisation.models import OrgUnit
from oas.people.models import Person

APPLY = "kindergarten.application.apply"
READ_OWN = "kindergarten.application.read_own"
READ = "kindergarten.application.read"
DECIDE = "kindergarten.application.decide"
MANAGE = "kindergarten.round.manage"
RESPOND = "kindergarten.offer.respond"


def _guardian(request: HttpRequest) -> Person:
    person = request.user.account.person  # type: ignore[union-attr]
    if person is None:  # a staff account has no guardian side (the declared actions already refuse it)
        raise PermissionDenied
    return cast(Person, person)


def _form_errors(form: Any, exc: DomainError) -> None:
    """Show a service's refusal on the form (the ranked choices' errors at the first choice)."""
    form_add_domain_errors(form, exc, field_map={"choices": "choice_1"})


# ------------------------------------------------------------------------------------------------ guardian portal


@requires(READ_OWN, APPLY)
@require_GET
def portal_overview(request: HttpRequest) -> HttpResponse:
    """Barnehage: my children, their applications (made by either parent) and offers awaiting an answer."""
    guardian = _guardian(request)
    applications = access_queryset(
        user=request.user, action=READ_OWN, queryset=selectors.applications_for_guardian(guardian=guardian)
    )
    return render(
        request,
        "kindergarten/portal_overview.html",
        {
            "children": selectors.children_with_responsibility(guardian=guardian),
            "applications": applications,
            "rounds": selectors.open_rounds(),
        },
    )


@requires(APPLY)
@require_http_methods(["GET", "POST"])
def portal_apply(request: HttpRequest, child_id: int) -> HttpResponse:
    """Apply for a kindergarten place: ranked choices, start date, size and a priority ground with attachment."""
    child = access_child(user=request.user, id=child_id, action=APPLY, audit_event="")
    guardian = _guardian(request)
    admission_round = selectors.open_rounds().first()
    if admission_round is None:
        messages.info(request, _("Det er ikke noe opptak som er åpent for søknader nå."))
        return redirect("kindergarten_pages:portal")
    existing = selectors.active_applications(admission_round=admission_round).filter(child=child).first()
    if existing is not None:
        messages.info(request, _("Barnet har allerede en søknad i dette opptaket. Du kan endre den her."))
        return redirect("kindergarten_pages:portal_application", application_id=existing.pk)
    units = selectors.round_units(admission_round=admission_round)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, unit_choices=units, max_choices=admission_round.max_choices
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                admission_round=admission_round,
                child=child,
                applicant=guardian,
                choices=_units(form.choice_ids()),
                wanted_start_date=data["wanted_start_date"],
                size_kind=data["size_kind"],
                size_value=data["size_value"],
                grounds=_grounds(form),
                user_id=request.user.pk,
            )
        except services.DuplicateApplication as exc:
            return redirect("kindergarten_pages:portal_application", application_id=exc.existing.pk)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Søknaden er sendt. Den andre forelderen med foreldreansvar ser den også."))
            return redirect("kindergarten_pages:portal_application", application_id=application.pk)
    siblings = OrgUnit.objects.filter(pk__in=selectors.sibling_units(child=child, on=admission_round.start_date))
    return render(
        request,
        "kindergarten/portal_apply.html",
        {"child": child, "round": admission_round, "form": form, "siblings": siblings},
        status=400 if form.errors else 200,
    )


def _units(ids: list[int]) -> list[OrgUnit]:
    by_id = OrgUnit.objects.in_bulk(ids)
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ValidationError(_("Barnehagen finnes ikke."), fields={"choice_1": [_("Ugyldig barnehage.")]})
    return [by_id[i] for i in ids]


def _grounds(form: ApplicationForm) -> list[services.GroundIn]:
    grounds = []
    for kind in form.ground_kinds():
        upload = form.cleaned_data.get(f"ground_{kind}_file")
        attachments = []
        if upload is not None:
            attachments.append(
                services.AttachmentIn(
                    filename=upload.name or "vedlegg", content_type=upload.content_type or "", content=upload.read()
                )
            )
        description = form.cleaned_data.get(f"ground_{kind}_description") or ""
        grounds.append(services.GroundIn(kind=kind, description=description, attachments=attachments))
    return grounds


def _application_read(request: HttpRequest, application_id: int, *, action: str) -> Application:
    """Fetch one application the user may read under ``action`` (404 and an audit row otherwise)."""
    return access_object(
        user=request.user,
        queryset=Application.objects.select_related("round", "child", "applicant", "transfer_from"),
        id=application_id,
        action=action,
        audit_event="kindergarten.application.read",
        person_ids_of=lambda a: [a.child_id],
    )


@requires(READ_OWN)
@require_GET
def portal_application(request: HttpRequest, application_id: int) -> HttpResponse:
    """One application: status at every step, the choices, offers with their deadline and the answer buttons."""
    application = _application_read(request, application_id, action=READ_OWN)
    return render(
        request,
        "kindergarten/portal_application.html",
        {
            "application": application,
            "choices": application.choices.select_related("unit").order_by("rank"),
            "offers": application.offers.select_related("programme__unit").order_by("-created_at"),
            "letters": application.letters.order_by("-created_at"),
            "can_change": selectors.application_is_changeable(application=application),
            "answer_form": OfferAnswerForm(),
        },
    )


@requires(READ_OWN)
@require_http_methods(["GET", "POST"])
def portal_change(request: HttpRequest, application_id: int) -> HttpResponse:
    """Change the choices, start date or size while the round is open (either guardian)."""
    application = access_object(
        user=request.user,
        queryset=Application.objects.select_related("round", "child"),
        id=application_id,
        action=READ_OWN,
        person_ids_of=lambda a: [a.child_id],
    )
    rnd = application.round
    initial: dict[str, Any] = {
        "wanted_start_date": application.wanted_start_date,
        "size_kind": application.size_kind,
        "size_value": application.size_value,
    }
    initial.update({f"choice_{c.rank}": c.unit_id for c in application.choices.all()})
    form = ApplicationChangeForm(
        request.POST or None,
        initial=initial,
        unit_choices=selectors.round_units(admission_round=rnd),
        max_choices=rnd.max_choices,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_change(
                application=application,
                guardian=_guardian(request),
                choices=_units(form.choice_ids()),
                wanted_start_date=form.cleaned_data["wanted_start_date"],
                size_kind=form.cleaned_data["size_kind"],
                size_value=form.cleaned_data["size_value"],
                user_id=request.user.pk,
            )
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Søknaden er endret."))
            return redirect("kindergarten_pages:portal_application", application_id=application.pk)
    return render(
        request,
        "kindergarten/portal_apply.html",
        {"child": application.child, "round": rnd, "form": form, "change": True},
        status=400 if form.errors else 200,
    )


@requires(READ_OWN)
@require_POST
def portal_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = access_object(
        user=request.user,
        queryset=Application.objects.select_related("round", "child"),
        id=application_id,
        action=READ_OWN,
        person_ids_of=lambda a: [a.child_id],
    )
    try:
        services.application_withdraw(application=application, guardian=_guardian(request), user_id=request.user.pk)
        messages.success(request, _("Søknaden er trukket."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:portal_application", application_id=application.pk)


@requires(RESPOND)
@require_POST
def portal_offer_answer(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Accept or decline an offer before its deadline; declining may keep the child waiting for higher choices."""
    offer = access_object(
        user=request.user,
        queryset=Offer.objects.select_related("application__child", "programme__unit"),
        id=offer_id,
        action=RESPOND,
        person_ids_of=lambda o: [o.application.child_id],
    )
    form = OfferAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg om du tar imot eller takker nei."))
    else:
        try:
            if form.cleaned_data["answer"] == "accept":
                services.offer_accept(offer=offer, guardian=_guardian(request), user_id=request.user.pk)
                messages.success(
                    request, _("Du har tatt imot plassen i %(unit)s.") % {"unit": offer.programme.unit.name}
                )
            elif request.POST.get("bekreft") != "ja":
                return _decline_confirm(request, offer, keep_waiting=form.cleaned_data["keep_waiting"])
            else:
                services.offer_decline(
                    offer=offer,
                    guardian=_guardian(request),
                    keep_waiting=form.cleaned_data["keep_waiting"],
                    user_id=request.user.pk,
                )
                messages.success(request, _("Du har takket nei til tilbudet."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("kindergarten_pages:portal_application", application_id=offer.application_id)


def _decline_confirm(request: HttpRequest, offer: Offer, *, keep_waiting: bool) -> HttpResponse:
    """Say what declining will do, and ask again (nothing is written until the guardian confirms)."""
    unit = offer.programme.unit.name
    consequences = [
        _("Plassen i %(unit)s går til neste på ventelisten, og dere kan ikke ta imot den senere.") % {"unit": unit}
    ]
    consequences.append(
        _("Barnet blir stående på venteliste for de høyere ønskene.")
        if keep_waiting
        else _("Barnet står ikke lenger på venteliste i dette opptaket.")
    )
    return render(
        request,
        "admission/confirm.html",
        {
            "heading": _("Takke nei til plassen i %(unit)s?") % {"unit": unit},
            "consequences": consequences,
            "action_url": reverse("kindergarten_pages:portal_offer_answer", args=[offer.pk]),
            "hidden": [("answer", "decline"), *([("keep_waiting", "on")] if keep_waiting else [])],
            "confirm_label": _("Ja, takk nei til plassen"),
            "cancel_url": reverse("kindergarten_pages:portal_application", args=[offer.application_id]),
        },
    )


TERMINATE = "kindergarten.placement.terminate"


@requires(TERMINATE)
@require_http_methods(["GET", "POST"])
def portal_terminate(request: HttpRequest, child_id: int) -> HttpResponse:
    """End a kindergarten or SFO place with the municipality's notice period."""
    child = access_child(user=request.user, id=child_id, action=TERMINATE, audit_event="")
    places = selectors.terminable_placements(child=child)
    if request.method == "POST":
        placement = places.filter(pk=request.POST.get("placement") or 0).first()
        try:
            if placement is None:
                raise ValidationError(_("Velg plassen du vil si opp."))
            ended = services.placement_terminate(
                placement=placement, guardian=_guardian(request), user_id=request.user.pk
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Plassen er sagt opp og slutter %(d)s.") % {"d": f"{ended.end_date:%d.%m.%Y}"})
        return redirect("kindergarten_pages:portal_terminate", child_id=child.pk)
    return render(
        request,
        "kindergarten/portal_terminate.html",
        {"child": child, "places": places, "end_date": services.notice_end_date(given_on=clock.today())},
    )


# ---------------------------------------------------------------------------------------------------- sector office


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def office_rounds(request: HttpRequest) -> HttpResponse:
    """Admission rounds: list and create (main admission with its deadline, or continuous admission)."""
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from oas.organisation.models import Municipality

        municipality = Municipality.objects.order_by("pk").first()
        try:
            if municipality is None:
                raise ValidationError(_("Ingen kommune er satt opp."))
            rnd = services.admission_round_create(municipality=municipality, **form.cleaned_data)
            # The capacity starts from each kindergarten's registered places; the office adjusts it on the round.
            services.programmes_prefill(admission_round=rnd, user_id=request.user.pk)
        except DomainError as exc:
            _form_errors(form, exc)
        else:
            return redirect("kindergarten_pages:office_round", round_id=rnd.pk)
    return render(
        request,
        "kindergarten/office_rounds.html",
        {"rounds": AdmissionRound.objects.order_by("-start_date", "-pk"), "form": form},
        status=400 if form.errors else 200,
    )


def _publish_confirm(request: HttpRequest, rnd: AdmissionRound) -> HttpResponse:
    """Say what publishing will do, and ask again (nothing is written until the office confirms)."""
    proposal = selectors.round_proposal(admission_round=rnd)
    offers = proposal.filter(programme__isnull=False).count()
    letters_count = proposal.count()
    return render(
        request,
        "admission/confirm.html",
        {
            "heading": _("Publisere tilbud og vedtak i %(round)s?") % {"round": rnd.name},
            "consequences": [
                ngettext("%(n)s søker får tilbud om plass.", "%(n)s søkere får tilbud om plass.", offers)
                % {"n": offers},
                ngettext(
                    "%(n)s vedtaksbrev sendes til foresatte og arkiveres.",
                    "%(n)s vedtaksbrev sendes til foresatte og arkiveres.",
                    letters_count,
                )
                % {"n": letters_count},
                _("Forslaget kan ikke lenger endres, og opptaket får status publisert."),
            ],
            "action_url": reverse("kindergarten_pages:office_round_action", args=[rnd.pk]),
            "hidden": [("action", "publish")],
            "confirm_label": _("Ja, publiser tilbud og vedtak"),
            "cancel_url": reverse("kindergarten_pages:office_round", args=[rnd.pk]),
        },
    )


def _round(round_id: int) -> AdmissionRound:
    return get_object_or_404(AdmissionRound, pk=round_id)


@requires(MANAGE)
@require_GET
def office_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """One round: capacities per kindergarten and age group, state, and the proposal with explanations."""
    rnd = _round(round_id)
    programmes = list(
        rnd.programmes.select_related("unit__kindergarten_unit_detail").order_by("unit__name", "age_group")
    )
    for programme in programmes:
        detail = getattr(programme.unit, "kindergarten_unit_detail", None)
        programme.registered_places = (  # type: ignore[attr-defined]
            detail.registered_places(age_group=programme.age_group) if detail else None
        )
    units = OrgUnit.objects.filter(kind="kindergarten", coordinated_admission=True).order_by("name")
    return render(
        request,
        "kindergarten/office_round.html",
        {
            "round": rnd,
            "programmes": programmes,
            "units": units,
            "age_groups": AgeGroup.choices,
            "proposal": selectors.round_proposal(admission_round=rnd) if rnd.matched_at else [],
            "affected": request.session.pop("kg_affected", []),
        },
    )


@requires(MANAGE)
@require_POST
def office_round_capacity(request: HttpRequest, round_id: int) -> HttpResponse:
    rnd = _round(round_id)
    form = CapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Oppgi kapasitet som et tall (0 eller mer)."))
        return redirect("kindergarten_pages:office_round", round_id=rnd.pk)
    unit = OrgUnit.objects.filter(pk=form.cleaned_data["unit"]).first()
    try:
        if unit is None:
            raise ValidationError(_("Barnehagen finnes ikke."))
        services.programme_set_capacity(
            admission_round=rnd,
            unit=unit,
            age_group=form.cleaned_data["age_group"],
            capacity=form.cleaned_data["capacity"],
        )
        messages.success(request, _("Kapasiteten er lagret."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:office_round", round_id=rnd.pk)


@requires(MANAGE)
@require_POST
def office_round_action(request: HttpRequest, round_id: int) -> HttpResponse:
    """Open, close, run matching or publish a round."""
    rnd = _round(round_id)
    action = request.POST.get("action", "")
    try:
        if action in (RoundState.OPEN, RoundState.CLOSED):
            services.admission_round_set_state(admission_round=rnd, state=action)
            messages.success(request, _("Opptaket har ny status."))
        elif action == "match":
            outcome = services.admission_round_match(admission_round=rnd, user_id=request.user.pk)
            request.session["kg_affected"] = outcome.affected_application_ids
            messages.success(request, _("Tildelingen er kjørt. Se forslaget under."))
        elif action == "prefill":
            filled = services.programmes_prefill(admission_round=rnd, user_id=request.user.pk)
            messages.success(
                request,
                ngettext(
                    "Kapasitet fylt inn fra godkjente plasser for %(n)s aldersgruppe.",
                    "Kapasitet fylt inn fra godkjente plasser for %(n)s aldersgrupper.",
                    filled,
                )
                % {"n": filled},
            )
        elif action == "publish" and request.POST.get("bekreft") != "ja":
            return _publish_confirm(request, rnd)
        elif action == "publish":
            published = services.admission_round_publish(admission_round=rnd, user_id=request.user.pk)
            messages.success(
                request,
                _("Publisert: %(o)s tilbud og %(l)s vedtaksbrev.") % {"o": published.offers, "l": published.letters},
            )
        else:
            messages.error(request, _("Ukjent handling."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:office_round", round_id=rnd.pk)


@requires(MANAGE)
@require_POST
def office_lock(request: HttpRequest, round_id: int) -> HttpResponse:
    """Lock one applicant's place (or no place); the round is recomputed and the affected are listed."""
    rnd = _round(round_id)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Velg søknad og barnehage."))
        return redirect("kindergarten_pages:office_round", round_id=rnd.pk)
    application = Application.objects.filter(pk=form.cleaned_data["application"], round=rnd).first()
    programme_id = form.cleaned_data.get("programme")
    programme = Programme.objects.filter(pk=programme_id).select_related("unit").first() if programme_id else None
    try:
        if application is None or (programme_id and programme is None):
            raise ValidationError(_("Søknaden eller barnehagen er ikke med i dette opptaket."))
        outcome = services.assignment_lock(application=application, programme=programme, user_id=request.user.pk)
        request.session["kg_affected"] = outcome.affected_application_ids
        messages.success(
            request,
            _("Plassen er låst. %(n)s andre søkere fikk endret forslag.")
            % {"n": len(outcome.affected_application_ids)},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:office_round", round_id=rnd.pk)


@requires(READ)
@require_GET
def office_applications(request: HttpRequest) -> HttpResponse:
    """The application work list with filters: status, unit, unchecked documentation, right to a place."""
    unit_raw = request.GET.get("enhet", "")
    right_raw = request.GET.get("rett", "")
    applications = selectors.application_worklist(
        queryset=access_queryset(user=request.user, action=READ, queryset=Application.objects.all()),
        status=request.GET.get("status", ""),
        unit_id=int(unit_raw) if unit_raw.isdigit() else None,
        unchecked=request.GET.get("dokumentasjon") == "ukontrollert",
        right_to_place={"ja": True, "nei": False}.get(right_raw),
    )[:500]
    return render(
        request,
        "kindergarten/office_applications.html",
        {
            "applications": applications,
            "statuses": ApplicationStatus.choices,
            "units": OrgUnit.objects.filter(kind="kindergarten", coordinated_admission=True).order_by("name"),
            "filters": request.GET,
        },
    )


@requires(READ)
@require_GET
def office_application(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application_read(request, application_id, action=READ)
    return render(
        request,
        "kindergarten/office_application.html",
        {
            "application": application,
            "choices": application.choices.select_related("unit").order_by("rank"),
            "grounds": application.grounds.prefetch_related("attachments"),
            "appeals": application.appeals.select_related("offer__programme__unit").order_by("received_at"),
            "letters": application.letters.order_by("-created_at"),
            "ground_kinds": dict(GroundKind.choices),
            "programmes": application.round.programmes.select_related("unit").order_by("unit__name", "age_group"),
        },
    )


ATTACHMENT_READ = "kindergarten.attachment.read"


@requires(ATTACHMENT_READ)
@require_GET
def office_attachment(request: HttpRequest, attachment_id: int) -> HttpResponse:
    """Open the documentation uploaded with a priority ground (the read is audit-logged)."""
    attachment = access_object(
        user=request.user,
        queryset=Attachment.objects.select_related("ground__application"),
        id=attachment_id,
        action=ATTACHMENT_READ,
        audit_event="kindergarten.attachment.read",
        person_ids_of=lambda a: [a.ground.application.child_id],
    )
    response = HttpResponse(bytes(attachment.content), content_type=attachment.content_type)
    # Always a download: uploaded content is never rendered in our origin.
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=attachment.filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@requires(DECIDE)
@require_POST
def office_ground_check(request: HttpRequest, ground_id: int) -> HttpResponse:
    """Record that the documentation of a priority ground has (or has not) been checked."""
    ground = access_object(
        user=request.user,
        queryset=PriorityGround.objects.select_related("application"),
        id=ground_id,
        action=DECIDE,
        person_ids_of=lambda g: [g.application.child_id],
    )
    services.priority_ground_check(ground=ground, checked=request.POST.get("checked") == "1", user_id=request.user.pk)
    messages.success(request, _("Dokumentasjonen er registrert som kontrollert."))
    return redirect("kindergarten_pages:office_application", application_id=ground.application_id)


# ------------------------------------------------------------------------------------- private kindergartens

APPROVE = "kindergarten.application.approve_private"


def _approvable_units(request: HttpRequest) -> Any:
    return access_queryset(
        user=request.user, action=APPROVE, queryset=OrgUnit.objects.filter(kind="kindergarten", ownership="private")
    )


@requires(APPROVE)
@require_GET
def unit_approvals(request: HttpRequest) -> HttpResponse:
    """The leader of a private kindergarten sees the proposed applicants for the kindergarten and approves them."""
    rows = selectors.assignments_to_approve(units=_approvable_units(request))
    return render(request, "kindergarten/unit_approvals.html", {"rows": rows})


@requires(APPROVE)
@require_POST
def unit_approve(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_object(
        user=request.user, queryset=OrgUnit.objects.filter(kind="kindergarten"), id=unit_id, action=APPROVE
    )
    try:
        n = services.assignments_approve(unit=unit, user_id=request.user.pk)
        messages.success(request, _("%(n)s søkere er godkjent.") % {"n": n})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:unit_approvals")


# --------------------------------------------------------------------------------------------------- appeals

APPEAL_REGISTER = "kindergarten.appeal.register"
APPEAL_DECIDE = "kindergarten.appeal.decide"


@requires(APPEAL_REGISTER)
@require_POST
def appeal_register(request: HttpRequest, application_id: int) -> HttpResponse:
    """Register a complaint (klage): the guardian from the portal, or the office for one received by post."""
    application = access_object(
        user=request.user,
        queryset=Application.objects.select_related("round", "child"),
        id=application_id,
        action=APPEAL_REGISTER,
        person_ids_of=lambda a: [a.child_id],
    )
    try:
        appeal = services.appeal_register(
            application=application, reason=request.POST.get("reason", ""), user_id=request.user.pk
        )
        messages.success(
            request,
            _("Klagen er registrert.") + (" " + _("Den kom etter klagefristen.") if appeal.late else ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    if getattr(getattr(request.user, "account", None), "employee_id", None):
        return redirect("kindergarten_pages:office_application", application_id=application.pk)
    return redirect("kindergarten_pages:portal_application", application_id=application.pk)


@requires(APPEAL_DECIDE)
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """Decide a complaint: upheld (omgjort) or not, with the reasons."""
    appeal = get_object_or_404(Appeal.objects.select_related("application"), pk=appeal_id)
    access_object(
        user=request.user,
        queryset=Application.objects.all(),
        id=appeal.application_id,
        action=APPEAL_DECIDE,
        person_ids_of=lambda a: [a.child_id],
    )
    raw = request.POST.get("programme", "")
    programme = (
        Programme.objects.filter(pk=int(raw), round_id=appeal.application.round_id).first() if raw.isdigit() else None
    )
    try:
        if raw and programme is None:
            raise ValidationError(_("Barnehagen er ikke med i dette opptaket."), code="unit_not_in_round")
        decided = services.appeal_decide(
            appeal=appeal,
            upheld=request.POST.get("upheld") == "1",
            decision_text=request.POST.get("decision_text", ""),
            programme=programme,
            user_id=request.user.pk,
        )
        if decided.forwarded_at is not None:
            messages.success(request, _("Klagen er avgjort og sendt til klagenemnda."))
        else:
            messages.success(request, _("Klagen har fått medhold, og foresatte har fått nytt tilbud."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("kindergarten_pages:office_application", application_id=appeal.application_id)
