"""Pages: the teacher's assessment groups and sheet, class and school status, the guardian's results page."""

from __future__ import annotations

import dataclasses

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import appeals, certificates, exams, selectors, services, talks, warnings
from assessment.models import (
    AppealOutcome,
    AppealStatus,
    ConductGrade,
    ExamForm,
    LeavingCertificate,
    RemarkKind,
    WarningKind,
)
from oas import clock
from oas.access.evaluation import has_action
from oas.access.getters import AccessNotFound, access_object, access_unit
from oas.access.markers import requires
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnitKind

ENTER = "assessment.group.enter"
STATUS = "assessment.class.status"


@requires(ENTER, STATUS)
@require_GET
def my_groups(request: HttpRequest) -> HttpResponse:
    """Vurdering: the teaching groups the user assesses and the classes whose status they follow."""
    return render(
        request,
        "assessment/my_groups.html",
        {
            "groups": selectors.entry_groups_for_user(user=request.user),
            "classes": selectors.status_classes_for_user(user=request.user),
            "period": selectors.period_label(selectors.current_period()),
        },
    )


def _int(value: str) -> int | None:
    return int(value) if value.isdecimal() else None


@requires(ENTER)
@require_http_methods(["GET", "POST"])
def group_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A teaching group's assessment sheet: half-year assessments, final grades (10th grade) and remarks."""
    group = access_unit(user=request.user, id=unit_id, action=ENTER)
    info = selectors.teaching_group(group=group)
    if info is None:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    if request.method == "POST":
        handling = request.POST.get("handling", "lagre")
        ids = [pid for pid in (_int(v) for v in request.POST.getlist("elev")) if pid is not None]
        try:
            if handling == "publiser":
                n = services.halfyear_publish(user=request.user, group_id=group.pk)
                messages.success(request, _("%(n)s vurderinger er publisert for foresatte.") % {"n": n})
            elif handling == "standpunkt":
                grades = {pid: request.POST.get(f"standpunkt_{pid}", "") for pid in ids}
                n = services.final_grade_save(user=request.user, group_id=group.pk, grades=grades)
                messages.success(request, _("%(n)s standpunktkarakterer er lagret.") % {"n": n})
            elif handling == "anmerkning":
                services.remark_register(
                    user=request.user,
                    group_id=group.pk,
                    pupil_id=request.POST.get("anmerkning_elev", ""),
                    kind=request.POST.get("anmerkning_type", ""),
                    text=request.POST.get("anmerkning_tekst", ""),
                )
                messages.success(request, _("Anmerkningen er registrert."))
            else:
                entries = [
                    services.HalfYearEntry(
                        pupil_id=pid,
                        grade=request.POST.get(f"karakter_{pid}", ""),
                        comment=request.POST.get(f"kommentar_{pid}", ""),
                        written=request.POST.get(f"vurdering_{pid}", ""),
                    )
                    for pid in ids
                ]
                n = services.halfyear_save(user=request.user, group_id=group.pk, entries=entries)
                messages.success(request, _("%(n)s halvårsvurderinger er lagret.") % {"n": n})
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("assessment:group", unit_id=group.pk)
        return redirect("assessment:group", unit_id=group.pk)
    period = selectors.current_period(day=today)
    rows = selectors.group_sheet(group=group, day=today, period=period)
    audit_read(
        event="assessment.group.read",
        person_ids=[r.pupil.pk for r in rows],
        object_type="organisation.OrgUnit",
        object_id=group.pk,
    )
    return render(
        request,
        "assessment/group.html",
        {
            "group": group,
            "info": info,
            "rows": rows,
            "period": selectors.period_label(period),
            "unpublished": sum(1 for r in rows if r.assessment and not r.assessment.published_at),
            "final_rows": [r for r in rows if r.final_level],
            "graded_rows": [r for r in rows if r.graded],
            "lock": selectors.group_lock(group_id=group.pk),
            "may_remark": has_action(user=request.user, action="assessment.remark.register", target=group),
            "remark_kinds": RemarkKind.choices,
        },
    )


@requires(STATUS)
@require_http_methods(["GET", "POST"])
def class_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A class's assessment status per pupil; the contact teacher proposes orden og oppførsel here."""
    klass = access_unit(user=request.user, id=unit_id, action=STATUS)
    if klass.kind != OrgUnitKind.CLASS:
        raise AccessNotFound(_("Ikke funnet."))
    today = clock.today()
    period = selectors.current_period(day=today)
    rows = selectors.class_status(klass=klass, day=today, period=period)
    if request.method == "POST":
        ids = [pid for pid in (_int(v) for v in request.POST.getlist("elev")) if pid is not None]
        marks = {pid: (request.POST.get(f"orden_{pid}", ""), request.POST.get(f"oppforsel_{pid}", "")) for pid in ids}
        handling = request.POST.get("handling", "")
        try:
            if handling == "vedta":
                n = services.conduct_decide(user=request.user, class_id=klass.pk, marks=marks)
                messages.success(request, _("Orden og oppførsel er fastsatt for %(n)s elever.") % {"n": n})
            elif handling == "publiser":
                n = services.conduct_publish(user=request.user, class_id=klass.pk)
                messages.success(request, _("Orden og oppførsel er publisert for %(n)s elever.") % {"n": n})
            else:
                n = services.conduct_propose(user=request.user, class_id=klass.pk, marks=marks)
                messages.success(request, _("Forslag til orden og oppførsel er lagret for %(n)s elever.") % {"n": n})
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:class", unit_id=klass.pk)
    audit_read(
        event="assessment.class.read",
        person_ids=[r.pupil.pk for r in rows],
        object_type="organisation.OrgUnit",
        object_id=klass.pk,
    )
    return render(
        request,
        "assessment/class.html",
        {
            "klass": klass,
            "rows": rows,
            "period": selectors.period_label(period),
            "graded": (klass.grade or 0) >= selectors.GRADES_FROM,
            "may_propose": has_action(user=request.user, action="assessment.conduct.propose", target=klass),
            "may_decide": has_action(user=request.user, action="assessment.conduct.decide", target=klass),
            "may_talks": has_action(user=request.user, action="assessment.talk.notes", target=klass),
            "may_warn": has_action(user=request.user, action="assessment.warning.send", target=klass),
            "warning_kinds": WarningKind.choices,
            "warnings": warnings.class_warnings(klass_id=klass.pk),
            "conduct_grades": ConductGrade.choices,
        },
    )


@requires("assessment.warning.send")
@require_POST
def warning_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Send a written warning (§ 9-7) for a pupil of the class to the guardians (from the class page)."""
    try:
        warnings.warning_send(
            user=request.user,
            class_id=unit_id,
            pupil_id=request.POST.get("elev", ""),
            kind=request.POST.get("type", ""),
            reason=request.POST.get("begrunnelse", ""),
            subject_name=request.POST.get("fag", ""),
        )
        messages.success(request, _("Varselet er sendt til de foresatte og arkivert."))
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:class", unit_id=unit_id)


@requires("assessment.school.status")
@require_http_methods(["GET", "POST"])
def school_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The school's assessment status per class and the 10th-grade groups' final grades, which the principal locks."""
    school = access_unit(user=request.user, id=unit_id, action="assessment.school.status")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    if request.method == "POST":
        try:
            services.final_grades_lock(user=request.user, school_id=school.pk, group_id=request.POST.get("gruppe", ""))
            messages.success(request, _("Standpunktkarakterene er låst og publisert for foresatte."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:school", unit_id=school.pk)
    today = clock.today()
    period = selectors.current_period(day=today)
    appeals = selectors.school_appeals(school=school)
    audit_read(
        event="assessment.appeals.read",
        person_ids=[a.pupil_id for a in appeals],
        object_type="organisation.OrgUnit",
        object_id=school.pk,
    )
    return render(
        request,
        "assessment/school.html",
        {
            "school": school,
            "appeals": appeals,
            "rows": selectors.school_status(school=school, day=today, period=period),
            "final_groups": selectors.school_final_groups(school=school, day=today),
            "period": selectors.period_label(period),
            "may_lock": has_action(user=request.user, action="assessment.final.lock", target=school),
            "may_certificates": has_action(user=request.user, action="assessment.certificate.read", target=school),
            "may_exams": has_action(user=request.user, action="assessment.exam.record", target=school),
        },
    )


@requires("assessment.child.read")
@require_GET
def portal_page(request: HttpRequest) -> HttpResponse:
    """The guardian's page: each child's published assessments, final grades with the appeal deadline, remarks.

    It names subjects, never the school or the group (a strengt fortrolig child's other parent keeps the
    information right, barneloven § 47, but may not learn where the child goes to school).
    """
    certificates = selectors.child_certificates(user=request.user)
    results = [
        dataclasses.replace(selectors.child_results(child=c), certificates=certificates.get(c.pk, []))
        for c in selectors.children_for_user(user=request.user)
    ]
    results = [r for r in results if r.halfyear or r.finals or r.exams or r.remarks or r.conduct or r.certificates]
    audit_read(event="assessment.portal.read", person_ids=[r.child.pk for r in results])
    return render(
        request,
        "assessment/portal.html",
        {
            "results": results,
            "today": clock.today(),
        },
    )


@requires("assessment.appeal.register")
@require_POST
def appeal_page(request: HttpRequest, grade_id: int) -> HttpResponse:
    """Register a guardian's appeal against a final grade (before the 10-day deadline)."""
    try:
        services.appeal_register(user=request.user, final_grade_id=grade_id, reason=request.POST.get("begrunnelse", ""))
        messages.success(request, _("Klagen er registrert. Skolen behandler den og gir dere svar."))
    except AccessNotFound:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("assessment:portal")


@requires("assessment.certificate.read")
@require_http_methods(["GET", "POST"])
def certificates_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Vitnemål: the principal starts the leaving certificates of the school's 10th-graders and follows progress."""
    school = access_unit(user=request.user, id=unit_id, action="assessment.certificate.read")
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    if request.method == "POST":
        try:
            certificates.certificate_batch_start(user=request.user, school_id=school.pk)
            messages.success(request, _("Vitnemålene lages nå. Siden viser hvor langt det har kommet."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:certificates", unit_id=school.pk)
    today = clock.today()
    year = certificates.school_year_on(municipality_id=school.municipality_id, day=today)
    year_name = year.name if year else ""
    issued = selectors.school_certificates(school=school, school_year=year_name)
    audit_read(
        event="assessment.certificates.read",
        person_ids=[c.pupil_id for c in issued],
        object_type="organisation.OrgUnit",
        object_id=school.pk,
    )
    return render(
        request,
        "assessment/certificates.html",
        {
            "school": school,
            "school_year": year_name,
            "progress": certificates.batch_progress(school=school, school_year=year_name),
            "pupils": len(certificates.tenth_grader_ids(school=school, day=today)),
            "unlocked": certificates.unlocked_groups(school=school, day=today),
            "issued": issued,
            "may_issue": has_action(user=request.user, action="assessment.certificate.issue", target=school),
        },
    )


def _pdf_response(certificate: LeavingCertificate) -> HttpResponse:
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="vitnemal-{certificate.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@requires("assessment.certificate.read")
@require_GET
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """One issued leaving certificate as PDF, for the school's principal and office."""
    certificate = access_object(
        user=request.user,
        queryset=LeavingCertificate.objects.all(),
        id=certificate_id,
        action="assessment.certificate.read",
        audit_event="assessment.certificate.read",
        person_ids_of=lambda c: [c.pupil_id],
    )
    return _pdf_response(certificate)


@requires("assessment.certificate.download")
@require_GET
def portal_certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """The guardian's (or the pupil's own) download of the leaving certificate."""
    certificate = access_object(
        user=request.user,
        queryset=LeavingCertificate.objects.all(),
        id=certificate_id,
        action="assessment.certificate.download",
        audit_event="assessment.certificate.download",
        person_ids_of=lambda c: [c.pupil_id],
    )
    return _pdf_response(certificate)


@requires("assessment.appeal.process")
@require_http_methods(["GET", "POST"])
def appeal_process_page(request: HttpRequest, appeal_id: int) -> HttpResponse:
    """One appeal against a final grade: the school's assessment, forwarding, the statsforvalter's outcome."""
    appeal = appeals.appeal_for_processing(user=request.user, appeal_id=appeal_id)
    if request.method == "POST":
        try:
            if request.POST.get("handling") == "utfall":
                appeals.appeal_outcome_record(
                    user=request.user,
                    appeal_id=appeal.pk,
                    outcome=request.POST.get("utfall", ""),
                    grade=request.POST.get("karakter", ""),
                    note=request.POST.get("merknad", ""),
                )
                messages.success(request, _("Utfallet er registrert, og foresatte får brev."))
            else:
                appeals.appeal_assess(
                    user=request.user,
                    appeal_id=appeal.pk,
                    decision=request.POST.get("vurdering", ""),
                    assessment=request.POST.get("begrunnelse", ""),
                    new_grade=request.POST.get("karakter", ""),
                )
                messages.success(request, _("Skolens vurdering er registrert, og foresatte får brev."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:appeal_process", appeal_id=appeal.pk)
    audit_read(
        event="assessment.appeal.read",
        person_ids=[appeal.pupil_id, appeal.guardian_id],
        object_type="assessment.Appeal",
        object_id=appeal.pk,
    )
    return render(
        request,
        "assessment/appeal_process.html",
        {
            "appeal": appeal,
            "school_id": appeal.final_grade.school_id,
            "outcomes": AppealOutcome.choices,
            "registered": appeal.status == AppealStatus.REGISTERED,
            "forwarded": appeal.status == AppealStatus.FORWARDED,
        },
    )


@requires("assessment.talk.notes")
@require_http_methods(["GET", "POST"])
def talks_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Utviklingssamtaler: the class's talks booked in the calendar, with the teacher's notes of each."""
    if request.method == "POST":
        try:
            talks.talk_notes_save(
                user=request.user,
                class_id=unit_id,
                slot_id=request.POST.get("time", ""),
                notes=request.POST.get("referat", ""),
            )
            messages.success(request, _("Referatet er lagret."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("assessment:talks", unit_id=unit_id)
    klass, rows = talks.class_talks(user=request.user, class_id=unit_id)
    return render(request, "assessment/talks.html", {"klass": klass, "rows": rows})


@requires("assessment.exam.record")
@require_http_methods(["GET", "POST"])
def exams_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Eksamenskarakterer: the school office registers the 10th-graders' exam grades, one 10th-grade class at a time."""
    school = exams.exam_school(user=request.user, school_id=unit_id)
    today = clock.today()
    classes = exams.tenth_grade_classes(school=school, day=today)
    chosen = _int(request.GET.get("klasse", "") or request.POST.get("klasse", ""))
    klass = next((c for c in classes if c.pk == chosen), classes[0] if classes else None)
    back = reverse("assessment:exams", args=[school.pk]) + (f"?klasse={klass.pk}" if klass else "")
    if request.method == "POST":
        try:
            if request.POST.get("handling") == "endre":
                exams.exam_grade_change(
                    user=request.user,
                    exam_grade_id=request.POST.get("eksamen", ""),
                    grade=request.POST.get("karakter", ""),
                )
                messages.success(request, _("Eksamenskarakteren er endret."))
            else:
                exams.exam_grade_record(
                    user=request.user,
                    school_id=school.pk,
                    pupil_id=request.POST.get("elev", ""),
                    subject_code=request.POST.get("fag", ""),
                    form=request.POST.get("form", ""),
                    grade=request.POST.get("karakter", ""),
                )
                messages.success(request, _("Eksamenskarakteren er registrert."))
        except AccessNotFound:
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(back)
    school_year = exams.current_school_year(school=school, day=today)
    rows = exams.exam_sheet(school=school, klass=klass, day=today, school_year=school_year) if klass else []
    audit_read(
        event="assessment.exams.read",
        person_ids=[r.pupil.pk for r in rows],
        object_type="organisation.OrgUnit",
        object_id=school.pk,
    )
    return render(
        request,
        "assessment/exams.html",
        {
            "school": school,
            "school_year": school_year,
            "classes": classes,
            "klass": klass,
            "rows": rows,
            "forms": ExamForm.choices,
        },
    )


@requires("assessment.appeal.process")
@require_GET
def appeals_waiting_page(request: HttpRequest) -> HttpResponse:
    """Klager som venter: the appeals the principal's schools have not assessed yet (the arbeidsflate task's list)."""
    rows = list(
        selectors.appeals_waiting(user=request.user)
        .select_related("final_grade", "pupil")
        .order_by("registered_at", "pk")
    )
    audit_read(event="assessment.appeals.read", person_ids=[a.pupil_id for a in rows], object_type="assessment.Appeal")
    return render(request, "assessment/appeals_waiting.html", {"appeals": rows})
