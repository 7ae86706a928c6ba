"""Pages of individually adapted education (§§ 11-6 to 11-11): the list of pupils, one pupil's case, the PPT PDF.

Thin: the services authorise and validate (``school.adapted_education``); a page fetches the pupil through the
getter (404 for "not yours") and shows only the forms the user's actions allow.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import AccessNotFound, access_child
from oas.access.markers import requires
from oas.errors import DomainError
from school import adapted_decision_changes as changes
from school import adapted_education as ae
from school.arbeidsflate import IOP_EVALUATION_MISSING_KEY
from school.models import AdaptedOrganisation, Subject


@requires(ae.READ)
@require_GET
def iop_list(request: HttpRequest) -> HttpResponse:
    """Individuelt tilrettelagt opplæring: the pupils with a current decision whose case the user may read."""
    # ``?oppgave=`` lists the arbeidsflate task's rows (the missing årsrapporter): the count and the list agree.
    task = request.GET.get("oppgave", "")
    if task == IOP_EVALUATION_MISSING_KEY:
        rows = ae.adapted_pupils_evaluation_missing(user=request.user)
    else:
        task, rows = "", ae.adapted_pupils_for_user(user=request.user)
    return render(request, "school/iop_list.html", {"rows": rows, "task": task})


def _subject_teachers(request: HttpRequest) -> list[tuple[str, str]]:
    return [(s, request.POST.get(f"laerer_{s}", "")) for s in request.POST.getlist("fag")]


def _post(request: HttpRequest, child_id: int) -> None:
    form = request.POST.get("skjema", "")
    user = request.user
    if form == "vurdering":
        upload = request.FILES.get("dokument")
        ae.expert_assessment_record(
            user=user,
            pupil_id=child_id,
            received_date=request.POST.get("mottatt"),
            summary=request.POST.get("sammendrag", ""),
            recommended_hours_per_year=request.POST.get("timer"),
            document=upload.file if upload is not None else None,
            filename=(upload.name or "") if upload is not None else "",
        )
        messages.success(request, _("Den sakkyndige vurderingen er registrert og sendt til arkivet."))
    elif form == "vedtak":
        ae.adapted_decision_create(
            user=user,
            pupil_id=child_id,
            assessment_id=request.POST.get("vurdering"),
            start_date=request.POST.get("fra"),
            end_date=request.POST.get("til"),
            hours_per_year=request.POST.get("timer_aar"),
            hours_per_week=request.POST.get("timer_uke"),
            organisation=request.POST.get("organisering", ""),
            subject_teachers=_subject_teachers(request),
            consent_by_id=request.POST.get("samtykke"),
            consent_date=request.POST.get("samtykke_dato"),
            reasons=request.POST.get("begrunnelse", ""),
        )
        messages.success(request, _("Vedtaket er fattet. Brevet sendes til de foresatte og arkiveres."))
    elif form == "iop":
        ae.iop_save(
            user=user,
            decision_id=request.POST.get("vedtak", ""),
            subject_id=request.POST.get("fag", ""),
            goals=request.POST.get("maal", ""),
            content=request.POST.get("innhold", ""),
            organisation=request.POST.get("organisering", ""),
        )
        messages.success(request, _("Den individuelle opplæringsplanen er lagret og arkivert."))
    elif form == "evaluering":
        ae.iop_evaluation_save(
            user=user, decision_id=request.POST.get("vedtak", ""), text=request.POST.get("evaluering", "")
        )
        messages.success(request, _("Årsrapporten er lagret og arkivert."))
    else:
        raise AccessNotFound(_("Ikke funnet."))


@requires(ae.READ)
@require_http_methods(["GET", "POST"])
def iop_pupil(request: HttpRequest, child_id: int) -> HttpResponse:
    """One pupil's case: the expert assessment, the decision, the IOP per subject and the yearly evaluation."""
    pupil = access_child(user=request.user, id=child_id, action=ae.READ, audit_event="school.iop.read")
    if request.method == "POST":
        try:
            _post(request, pupil.pk)
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            if exc.fields:
                for problems in list(exc.fields.values())[1:]:
                    for problem in problems:
                        messages.error(request, problem)
        return redirect("school:iop_pupil", child_id=pupil.pk)
    case = ae.adapted_case_for(user=request.user, pupil=pupil)
    may_manage = has_action(user=request.user, action=ae.MANAGE, target=pupil)
    may_write = has_action(user=request.user, action=ae.WRITE, target=pupil)
    today = clock.today()
    context = {
        "case": case,
        "pupil": pupil,
        "may_manage": may_manage,
        "may_write": may_write,
        "organisations": AdaptedOrganisation.choices,
    }
    if may_manage:
        school = case.decisions[0].decision.school if case.decisions else None
        school = school or ae.pupil_school(pupil.pk, today)
        context |= {
            "subjects": list(Subject.objects.filter(active=True).order_by("name")),
            "teachers": ae.school_teachers(school_id=school.pk, day=today) if school else [],
            "guardians": ae.pupil_guardians(pupil_id=pupil.pk, day=today),
            "today": today,
        }
    return render(request, "school/iop_pupil.html", context)


@requires(ae.READ)
@require_GET
def iop_assessment_document(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """The PPT expert assessment's PDF (audit-logged; 404 for a pupil the user may not read)."""
    assessment = ae.expert_assessment_pdf(user=request.user, assessment_id=assessment_id)
    response = HttpResponse(bytes(assessment.document), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="sakkyndig-vurdering.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _decision_form_context(request: HttpRequest, decision: Any) -> dict[str, Any]:
    """The change form, filled in from the decision (or from what was posted, when it was refused)."""
    today = clock.today()
    named = {s.subject_id: s.teacher_id for s in decision.subjects.all()}
    if request.method == "POST":
        post = request.POST
        checked = {int(v) for v in post.getlist("fag") if v.isdecimal()}
        teachers = {s: post.get(f"laerer_{s}", "") for s in checked}
        values = {k: post.get(k, "") for k in ("fra", "til", "timer_aar", "timer_uke", "organisering", "samtykke")}
        values |= {k: post.get(k, "") for k in ("samtykke_dato", "begrunnelse")}
    else:
        checked = set(named)
        teachers = {s: str(t or "") for s, t in named.items()}
        values = {
            "fra": today.isoformat() if today > decision.start_date else "",
            "til": decision.end_date.isoformat(),
            "timer_aar": str(decision.hours_per_year),
            "timer_uke": f"{decision.hours_per_week:g}".replace(".", ","),
            "organisering": decision.organisation,
            "samtykke": str(decision.consent_by_id),
            "samtykke_dato": "",
            "begrunnelse": "",
        }
    subjects = [
        {"subject": s, "checked": s.pk in checked, "teacher": teachers.get(s.pk, "")}
        for s in Subject.objects.filter(active=True).order_by("name")
    ]
    return {
        "decision": decision,
        "pupil": decision.pupil,
        "values": values,
        "organisations": AdaptedOrganisation.choices,
        "subjects": subjects,
        "teachers": [(str(t.pk), t) for t in ae.school_teachers(school_id=decision.school_id, day=today)],
        "guardians": [(str(g.pk), g) for g in ae.pupil_guardians(pupil_id=decision.pupil_id, day=today)],
    }


@requires(ae.MANAGE)
@require_http_methods(["GET", "POST"])
def iop_decision_change(request: HttpRequest, decision_id: int) -> HttpResponse:
    """Change a decision (§ 11-7): hours, organisation, subjects from a date, as a new decision replacing it."""
    decision = changes.adapted_decision_for_managing(user=request.user, decision_id=decision_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            changes.adapted_decision_replace(
                user=request.user,
                decision_id=decision.pk,
                start_date=request.POST.get("fra"),
                end_date=request.POST.get("til"),
                hours_per_year=request.POST.get("timer_aar"),
                hours_per_week=request.POST.get("timer_uke"),
                organisation=request.POST.get("organisering", ""),
                subject_teachers=_subject_teachers(request),
                consent_by_id=request.POST.get("samtykke"),
                consent_date=request.POST.get("samtykke_dato"),
                reasons=request.POST.get("begrunnelse", ""),
            )
        except AccessNotFound:
            raise
        except DomainError as exc:
            errors = _problems(exc)
        else:
            messages.success(request, _("Det nye vedtaket er fattet. Brevet sendes til de foresatte og arkiveres."))
            return redirect("school:iop_pupil", child_id=decision.pupil_id)
    context = _decision_form_context(request, decision) | {"errors": errors}
    return render(request, "school/iop_change.html", context, status=400 if errors else 200)


@requires(ae.MANAGE)
@require_http_methods(["GET", "POST"])
def iop_decision_end(request: HttpRequest, decision_id: int) -> HttpResponse:
    """End a decision early (§ 11-7): the last day and the reason; the guardians get a letter."""
    decision = changes.adapted_decision_for_managing(user=request.user, decision_id=decision_id)
    errors: list[str] = []
    if request.method == "POST":
        try:
            changes.adapted_decision_end(
                user=request.user,
                decision_id=decision.pk,
                end_date=request.POST.get("slutt"),
                reason=request.POST.get("grunn", ""),
            )
        except AccessNotFound:
            raise
        except DomainError as exc:
            errors = _problems(exc)
        else:
            messages.success(request, _("Vedtaket er avsluttet. Brevet sendes til de foresatte og arkiveres."))
            return redirect("school:iop_pupil", child_id=decision.pupil_id)
    context = {"decision": decision, "pupil": decision.pupil, "errors": errors, "form": request.POST or None}
    return render(request, "school/iop_end.html", context, status=400 if errors else 200)


def _problems(exc: DomainError) -> list[str]:
    problems = [problem for values in (exc.fields or {}).values() for problem in values]
    return problems or [exc.message]
