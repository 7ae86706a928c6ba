"""SFO admission pages: guardians apply at the child's school's SFO and answer offers; the sector office closes
and publishes a round. Thin: forms parse, services decide, access is checked with ``oas.access``."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from oas import clock
from oas.access.getters import access_child, access_object
from oas.access.markers import requires
from oas.access.selectors import access_queryset
from oas.errors import DomainError
from oas.forms import form_add_domain_errors
from oas.people.models import Person
from sfo import selectors, services
from sfo.models import PlaceType, SfoApplication, SfoRound, SfoRoundState

APPLY = "sfo.application.apply"
READ_OWN = "sfo.application.read_own"
MANAGE = "sfo.round.manage"


class SfoApplicationForm(forms.Form):
    unit = forms.TypedChoiceField(label=gettext_lazy("SFO"), coerce=int)
    place_type = forms.ChoiceField(label=gettext_lazy("Plasstype"), choices=PlaceType.choices)
    hours_per_week = forms.IntegerField(
        label=gettext_lazy("Timer per uke (timeplass)"), min_value=1, max_value=40, required=False
    )
    start_date = forms.DateField(label=gettext_lazy("Ønsket oppstart"), widget=forms.DateInput(attrs={"type": "date"}))


class SfoApplicationChangeForm(forms.Form):
    place_type = forms.ChoiceField(label=gettext_lazy("Plasstype"), choices=PlaceType.choices)
    hours_per_week = forms.IntegerField(
        label=gettext_lazy("Timer per uke (timeplass)"), min_value=1, max_value=40, required=False
    )
    start_date = forms.DateField(label=gettext_lazy("Ønsket oppstart"), widget=forms.DateInput(attrs={"type": "date"}))


def _guardian(request: HttpRequest) -> Person:
    person = request.user.account.person  # type: ignore[union-attr]
    if person is None:  # a staff account has no guardian side (the declared actions already refuse it)
        raise PermissionDenied
    return cast(Person, person)


@requires(READ_OWN, APPLY)
@require_GET
def portal_sfo(request: HttpRequest) -> HttpResponse:
    """SFO: my children, their applications (made by either parent) with status and offers to answer."""
    guardian = _guardian(request)
    applications = access_queryset(
        user=request.user, action=READ_OWN, queryset=SfoApplication.objects.select_related("round", "child", "unit")
    ).order_by("-submitted_at")
    return render(
        request,
        "sfo/portal.html",
        {
            "children": selectors.sfo_children_with_responsibility(guardian=guardian),
            "applications": applications,
            "rounds": selectors.open_sfo_rounds(),
            "today": clock.today(),
        },
    )


@requires(APPLY)
@require_http_methods(["GET", "POST"])
def portal_sfo_apply(request: HttpRequest, child_id: int) -> HttpResponse:
    """Apply for SFO at the child's school: place type (full, part, hours) and start date."""
    child = access_child(user=request.user, id=child_id, action=APPLY, audit_event="")
    sfo_round = selectors.open_sfo_rounds().first()
    if sfo_round is None:
        messages.info(request, _("Det er ikke noe SFO-opptak som er åpent for søknader nå."))
        return redirect("sfo_pages:portal")
    units = selectors.sfo_units_for_child(child=child, sfo_round=sfo_round)
    form = SfoApplicationForm(request.POST or None)
    form.fields["unit"].choices = [(u.pk, u.name) for u in units]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.pk == data["unit"])
        try:
            services.sfo_application_submit(
                sfo_round=sfo_round,
                child=child,
                applicant=_guardian(request),
                unit=unit,
                place_type=data["place_type"],
                start_date=data["start_date"],
                hours_per_week=data["hours_per_week"] if data["place_type"] == PlaceType.HOURS else None,
                user_id=request.user.pk,
            )
        except services.DuplicateSfoApplication:
            messages.info(request, _("Barnet har allerede en SFO-søknad i dette opptaket."))
            return redirect("sfo_pages:portal")
        except DomainError as exc:
            form_add_domain_errors(form, exc)
        else:
            messages.success(request, _("SFO-søknaden er sendt."))
            return redirect("sfo_pages:portal")
    return render(
        request,
        "sfo/portal_apply.html",
        {"child": child, "round": sfo_round, "form": form, "units": units},
        status=400 if form.errors else 200,
    )


@requires(READ_OWN)
@require_POST
def portal_sfo_answer(request: HttpRequest, application_id: int) -> HttpResponse:
    """Accept or decline an SFO offer before its deadline."""
    application = _own_application(request, application_id)
    try:
        if request.POST.get("answer") == "accept":
            services.sfo_offer_accept(application=application, guardian=_guardian(request), user_id=request.user.pk)
            messages.success(request, _("Du har tatt imot SFO-plassen."))
        elif request.POST.get("answer") == "decline" and request.POST.get("bekreft") != "ja":
            return _decline_confirm(request, application)
        elif request.POST.get("answer") == "decline":
            services.sfo_offer_decline(application=application, guardian=_guardian(request), user_id=request.user.pk)
            messages.success(request, _("Du har takket nei til SFO-plassen."))
        else:
            messages.error(request, _("Velg om du tar imot eller takker nei."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sfo_pages:portal")


def _decline_confirm(request: HttpRequest, application: SfoApplication) -> HttpResponse:
    """Say what declining will do, and ask again (nothing is written until the guardian confirms)."""
    return render(
        request,
        "admission/confirm.html",
        {
            "heading": _("Takke nei til SFO-plassen i %(unit)s?") % {"unit": application.unit.name},
            "consequences": [
                _("Plassen går til neste på ventelisten, og dere kan ikke ta imot den senere."),
                _("Vil dere ha SFO-plass senere, må dere søke på nytt."),
            ],
            "action_url": reverse("sfo_pages:portal_answer", args=[application.pk]),
            "hidden": [("answer", "decline")],
            "confirm_label": _("Ja, takk nei til SFO-plassen"),
            "cancel_url": reverse("sfo_pages:portal"),
        },
    )


def _publish_confirm(request: HttpRequest, sfo_round: SfoRound) -> HttpResponse:
    """Say what matching and publishing will do, and ask again (nothing is written until the office confirms)."""
    applications = SfoApplication.objects.filter(round=sfo_round).count()
    return render(
        request,
        "admission/confirm.html",
        {
            "heading": _("Kjøre tildeling og publisere %(round)s?") % {"round": sfo_round.name},
            "consequences": [
                ngettext(
                    "Tildelingen kjøres for %(n)s søknad etter plassene i hver SFO.",
                    "Tildelingen kjøres for %(n)s søknader etter plassene i hver SFO.",
                    applications,
                )
                % {"n": applications},
                _("Alle søkere får vedtaksbrev (tilbud eller venteliste), som sendes til foresatte og arkiveres."),
                _("Opptaket får status publisert og kan ikke kjøres på nytt."),
            ],
            "action_url": reverse("sfo_pages:office_round_action", args=[sfo_round.pk]),
            "hidden": [("action", "publish")],
            "confirm_label": _("Ja, kjør tildeling og publiser"),
            "cancel_url": reverse("sfo_pages:office_round", args=[sfo_round.pk]),
        },
    )


def _own_application(request: HttpRequest, application_id: int) -> SfoApplication:
    """The application if it concerns the user's own child; otherwise 404 (and an audit row)."""
    return access_object(
        user=request.user,
        queryset=SfoApplication.objects.select_related("round", "child", "unit"),
        id=application_id,
        action=READ_OWN,
        person_ids_of=lambda a: [a.child_id],
    )


@requires(READ_OWN)
@require_http_methods(["GET", "POST"])
def portal_sfo_change(request: HttpRequest, application_id: int) -> HttpResponse:
    """Change place type, hours or start date before the deadline (either guardian with responsibility)."""
    application = _own_application(request, application_id)
    initial = {
        "place_type": application.place_type,
        "hours_per_week": application.hours_per_week,
        "start_date": application.start_date,
    }
    form = SfoApplicationChangeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.sfo_application_change(
                application=application,
                guardian=_guardian(request),
                place_type=data["place_type"],
                start_date=data["start_date"],
                hours_per_week=data["hours_per_week"] if data["place_type"] == PlaceType.HOURS else None,
                user_id=request.user.pk,
            )
        except DomainError as exc:
            form_add_domain_errors(form, exc)
        else:
            messages.success(request, _("SFO-søknaden er endret."))
            return redirect("sfo_pages:portal")
    return render(
        request,
        "sfo/portal_change.html",
        {"application": application, "form": form},
        status=400 if form.errors else 200,
    )


@requires(READ_OWN)
@require_POST
def portal_sfo_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    """Withdraw an application before the deadline."""
    application = _own_application(request, application_id)
    try:
        services.sfo_application_withdraw(application=application, guardian=_guardian(request), user_id=request.user.pk)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("SFO-søknaden er trukket."))
    return redirect("sfo_pages:portal")


class SfoRoundForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Kode"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=200)
    application_deadline = forms.DateField(
        label=gettext_lazy("Søknadsfrist"), widget=forms.DateInput(attrs={"type": "date"})
    )
    start_date = forms.DateField(label=gettext_lazy("Oppstart"), widget=forms.DateInput(attrs={"type": "date"}))
    places = forms.IntegerField(
        label=gettext_lazy("Plasser per SFO"),
        min_value=0,
        initial=100,
        help_text=gettext_lazy("Settes for hver SFO i kommunen; kan endres per SFO i opptaket."),
    )


class SfoCapacityForm(forms.Form):
    unit = forms.IntegerField()
    capacity = forms.IntegerField(min_value=0)


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def office_sfo_rounds(request: HttpRequest) -> HttpResponse:
    """SFO admission rounds: list and create (a draft, with the places of every SFO)."""
    form = SfoRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        places = data.pop("places")
        try:
            sfo_round = services.sfo_round_create_with_places(
                **data, places=places, state=SfoRoundState.DRAFT, user_id=request.user.pk
            )
        except DomainError as exc:
            form_add_domain_errors(form, exc)
        else:
            messages.success(request, _("SFO-opptaket er opprettet som utkast."))
            return redirect("sfo_pages:office_round", round_id=sfo_round.pk)
    return render(
        request,
        "sfo/office_rounds.html",
        {"rounds": SfoRound.objects.order_by("-start_date", "-pk"), "form": form},
        status=400 if form.errors else 200,
    )


@requires(MANAGE)
@require_GET
def office_sfo_round(request: HttpRequest, round_id: int) -> HttpResponse:
    """One SFO round: state and actions, places per SFO, and the matching's proposal once it has run."""
    sfo_round = get_object_or_404(SfoRound, pk=round_id)
    capacities = sfo_round.capacities.select_related("unit").order_by("unit__name")
    proposal = services.sfo_round_proposal(sfo_round=sfo_round) if sfo_round.state == SfoRoundState.MATCHED else []
    return render(
        request,
        "sfo/office_round.html",
        {"round": sfo_round, "capacities": capacities, "proposal": proposal},
    )


@requires(MANAGE)
@require_POST
def office_sfo_round_capacity(request: HttpRequest, round_id: int) -> HttpResponse:
    """Set the places of one SFO in the round."""
    sfo_round = get_object_or_404(SfoRound, pk=round_id)
    form = SfoCapacityForm(request.POST)
    unit = (
        sfo_round.capacities.select_related("unit").filter(unit_id=form.cleaned_data["unit"]).first()
        if form.is_valid()
        else None
    )
    if unit is None:
        messages.error(request, _("Velg en SFO i opptaket og oppgi plasser som et tall (0 eller mer)."))
    else:
        try:
            services.sfo_capacity_set(sfo_round=sfo_round, unit=unit.unit, capacity=form.cleaned_data["capacity"])
            messages.success(request, _("Plassene er lagret."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("sfo_pages:office_round", round_id=sfo_round.pk)


@requires(MANAGE)
@require_POST
def office_sfo_round_action(request: HttpRequest, round_id: int) -> HttpResponse:
    """Open or close a round for applications, run the matching, or publish it (after a confirmation)."""
    sfo_round = get_object_or_404(SfoRound, pk=round_id)
    action = request.POST.get("action")
    try:
        if action == "open":
            services.sfo_round_open(sfo_round=sfo_round, user_id=request.user.pk)
            messages.success(request, _("SFO-opptaket er åpent for søknader."))
        elif action == "close":
            services.sfo_round_close(sfo_round=sfo_round)
            messages.success(request, _("SFO-opptaket er stengt for søknader."))
        elif action == "match":
            outcome = services.sfo_round_match(sfo_round=sfo_round, user_id=request.user.pk)
            messages.success(
                request,
                _("Tildelingen er kjørt: %(o)s tilbud og %(w)s på venteliste. Se forslaget under.")
                % {"o": outcome.offered, "w": outcome.waiting},
            )
        elif action == "publish" and sfo_round.state in (SfoRoundState.CLOSED, SfoRoundState.MATCHED):
            if request.POST.get("bekreft") != "ja":
                return _publish_confirm(request, sfo_round)
            outcome = services.sfo_round_match_and_publish(sfo_round=sfo_round, user_id=request.user.pk)
            messages.success(request, _("Publisert: %(n)s tilbud.") % {"n": outcome.offered})
        else:
            messages.error(request, _("Handlingen passer ikke til opptakets status."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("sfo_pages:office_round", round_id=sfo_round.pk)
