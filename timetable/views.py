"""Pages: a school's versions, one version (checks, generator, explanation), the week grid, editing a lesson,
CSV export, the teacher's own week, the guardian's view of the child's week and the ICS feed."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from oas import clock
from oas.access.evaluation import access_queryset, has_action
from oas.access.getters import AccessNotFound, access_object, access_unit
from oas.access.markers import public, requires
from oas.access.selectors import may_learn_whereabouts
from oas.audit.services import audit_read
from oas.errors import DomainError
from oas.organisation.models import OrgUnitKind
from oas.people.models import Employee, Person
from timetable import checks, daychanges, fet, ics, importing, office365, selectors, services
from timetable import forms as forms_module
from timetable.models import DAY_NAMES, DayChange, Lesson, Room, SolverRun, TimetableVersion, VersionStatus

READ = "timetable.read"
MANAGE = "timetable.manage"
VERSION_READ = "timetable.version.read"
VERSION_MANAGE = "timetable.version.manage"
ICS_SALT = "timetable.ics"


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _version(request: HttpRequest, version_id: int, action: str = VERSION_READ) -> TimetableVersion:
    return access_object(
        user=request.user, queryset=TimetableVersion.objects.select_related("school"), id=version_id, action=action
    )


@requires(READ)
@require_http_methods(["GET", "POST"])
def school_versions(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The school's timetable versions; the principal creates a draft or copies a version to a new draft."""
    school = access_unit(user=request.user, id=unit_id, action=READ)
    if school.kind != OrgUnitKind.SCHOOL:
        raise AccessNotFound(_("Ikke funnet."))
    may_manage = has_action(user=request.user, action=MANAGE, target=school)
    if request.method == "POST":
        if not may_manage:
            raise AccessNotFound(_("Ikke funnet."))
        try:
            if request.POST.get("handling") == "importer":
                return _import(request, school)
            if request.POST.get("kopier"):
                source = _version(request, _int(request.POST["kopier"]), VERSION_MANAGE)
                copy = services.version_copy(version_id=source.pk, user=request.user)
                messages.success(request, _("Versjonen er kopiert til et nytt utkast."))
                return redirect("timetable:version", version_id=copy.pk)
            from timetable.demo import demo_version_build

            version = demo_version_build(school=school, day=clock.today(), user=request.user, new_draft=True)
            messages.success(request, _("Utkastet er laget fra skolens grupper og lærere."))
            return redirect("timetable:version", version_id=version.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("timetable:school", unit_id=school.pk)
    versions = list(selectors.versions_for_school(school_id=school.pk))
    return render(request, "timetable/school.html", {"school": school, "versions": versions, "may_manage": may_manage})


def _import(request: HttpRequest, school: Any) -> HttpResponse:
    """Import an uploaded FET or XHSTT file as a new draft (errors: the school page again, with every problem)."""
    upload = request.FILES.get("fil")
    if upload is None:
        messages.error(request, _("Velg en FET- eller XHSTT-fil å importere."))
        return redirect("timetable:school", unit_id=school.pk)
    if upload.size and upload.size > importing.MAX_BYTES:
        messages.error(request, _("Filen er for stor (høyst 5 MB)."))
        return redirect("timetable:school", unit_id=school.pk)
    try:
        result = services.version_import(
            user=request.user,
            school_id=school.pk,
            filename=upload.name or "",
            content=upload.read(),
            name=request.POST.get("navn", ""),
        )
    except DomainError as exc:
        versions = list(selectors.versions_for_school(school_id=school.pk))
        return render(
            request,
            "timetable/school.html",
            {"school": school, "versions": versions, "may_manage": True, "import_problems": exc.fields.get("fil", [])},
            status=400,
        )
    messages.success(request, _("Filen er importert som et nytt utkast."))
    return redirect("timetable:version", version_id=result.version.pk)


@requires(VERSION_READ)
@require_http_methods(["GET", "POST"])
def version_page(request: HttpRequest, version_id: int) -> HttpResponse:
    """One version: its week, requirements and checks; start, follow and cancel the generator; publish."""
    version = _version(request, version_id)
    may_manage = has_action(user=request.user, action=VERSION_MANAGE, target=version)
    if request.method == "POST":
        if not may_manage:
            raise AccessNotFound(_("Ikke funnet."))
        op = request.POST.get("handling", "")
        try:
            if op == "generer":
                relaxed = [k for k in request.POST.getlist("slipp") if k]
                services.run_start(
                    version_id=version.pk,
                    user=request.user,
                    seed=_int(request.POST.get("seed")),
                    time_limit=_int(request.POST.get("sekunder"), 30),
                    relaxed=relaxed,
                )
                messages.success(request, _("Generatoren er startet."))
            elif op == "avbryt":
                run = SolverRun.objects.get(pk=_int(request.POST.get("kjoring")), version=version)
                services.run_cancel(run_id=run.pk, user=request.user)
                messages.success(request, _("Generatoren stoppes."))
            elif op == "publiser":
                services.version_publish(version_id=version.pk, user=request.user)
                messages.success(request, _("Timeplanen er publisert."))
            elif op == "trekk_tilbake_variant":
                services.version_withdraw(version_id=version.pk, user=request.user)
                messages.success(request, _("Varianten er trukket tilbake. Den vanlige timeplanen gjelder igjen."))
            elif op == "trekk_tilbake_dagsendring":
                change = DayChange.objects.filter(
                    needs_attention_version=version,
                    lesson_id=_int(request.POST.get("time")),
                    date=_date(request.POST.get("dato")),
                ).first()
                if change is None:
                    raise DomainError(_("Dagsendringen finnes ikke lenger."))
                daychanges.day_change_withdraw(user=request.user, lesson_id=change.lesson_id, date=change.date)
                messages.success(request, _("Dagsendringen er trukket tilbake, og de berørte får beskjed."))
            else:
                messages.error(request, _("Ukjent handling."))
        except SolverRun.DoesNotExist as exc:
            raise AccessNotFound(_("Ikke funnet.")) from exc
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("timetable:version", version_id=version.pk)
    findings = checks.version_check(version=version)
    runs = list(version.runs.all()[:5])
    requirements = selectors.version_requirements(version=version)
    audit_read(
        event="timetable.version.read",
        person_ids=sorted({t.person_id for r in requirements for t in r.teachers.all()}),
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    return render(
        request,
        "timetable/version.html",
        {
            "version": version,
            "may_manage": may_manage and version.editable,
            "may_publish": may_manage,
            "findings": findings,
            "runs": runs,
            "active_run": next((r for r in runs if r.status in ("queued", "running")), None),
            "requirements": requirements,
            "periods": list(version.periods.all()),
            "rooms": list(Room.objects.filter(school_id=version.school_id)),
            "frames": list(version.frames.select_related("teacher__person")),
            "classes": _classes(requirements),
            "teachers": _teachers(requirements),
            "unmapped_teachers": office365.unmapped_teachers(version=version) if may_manage else [],
            "follow_up": _follow_up(version) if may_manage else [],
        },
    )


def _follow_up(version: TimetableVersion) -> list[DayChange]:
    rows = daychanges.day_changes_to_follow_up(version=version)
    for change in rows:
        change.text = daychanges.describe(change)  # type: ignore[attr-defined]
    return rows


def _classes(requirements: list[Any]) -> list[Any]:
    seen = {c.pk: c for r in requirements for c in r.classes.all()}
    return sorted(seen.values(), key=lambda c: (c.grade or 0, c.name))


def _teachers(requirements: list[Any]) -> list[Employee]:
    seen = {t.pk: t for r in requirements for t in r.teachers.all()}
    return sorted(seen.values(), key=lambda t: (t.person.last_name, t.person.first_name))


@requires(VERSION_READ)
@require_GET
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The generator's progress (polled by the version page with htmx)."""
    run = SolverRun.objects.filter(pk=run_id).select_related("version").first()
    if run is None:
        raise AccessNotFound(_("Ikke funnet."))
    _version(request, run.version_id)
    return render(request, "timetable/_run.html", {"run": run, "version": run.version, "may_manage": False})


def _grid_filter(request: HttpRequest, version: TimetableVersion) -> tuple[dict[str, int | None], str]:
    klass, teacher, room = (_int(request.GET.get(k)) or None for k in ("klasse", "laerer", "rom"))
    title = ""
    if klass:
        req = (
            version.requirements.filter(classes=klass).select_related("group").first()
            or version.requirements.filter(group_id=klass).select_related("group").first()
        )
        title = next(
            (c.name for c in (req.classes.all() if req else []) if c.pk == klass), req.group.name if req else ""
        )
    elif teacher:
        emp = Employee.objects.filter(pk=teacher).select_related("person").first()
        title = selectors.employee_name(emp) if emp else ""
    elif room:
        title = str(Room.objects.filter(pk=room, school_id=version.school_id).first() or "")
    return {"class_id": klass, "teacher_id": teacher, "room_id": room}, title


@requires(VERSION_READ)
@require_GET
def week_grid(request: HttpRequest, version_id: int) -> HttpResponse:
    """The week of one class, teacher or room in a version, with edit links for a draft."""
    version = _version(request, version_id)
    filters, title = _grid_filter(request, version)
    if not any(filters.values()):
        return redirect("timetable:version", version_id=version.pk)
    lessons = selectors.version_lessons(version=version, **filters)
    audit_read(
        event="timetable.week.read",
        person_ids=selectors.teacher_person_ids(lessons=lessons),
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    # A draft's lessons are edited; a published one's get day changes (cancelled, another room, a substitute).
    may_edit = has_action(user=request.user, action=VERSION_MANAGE, target=version)
    changes = (
        daychanges.changes_for_display(lessons=lessons, today=clock.today())
        if version.status == VersionStatus.PUBLISHED
        else []
    )
    return render(
        request,
        "timetable/week.html",
        {
            "version": version,
            "title": title,
            "changes": changes,
            "rows": selectors.grid(version=version, lessons=lessons),
            "days": selectors.day_names(version=version),
            "may_edit": may_edit,
            "query": request.GET.urlencode(),
        },
    )


def _when(lesson: Lesson) -> str:
    period = next((p for p in lesson.version.periods.all() if p.position == lesson.position), None)
    return f"{DAY_NAMES[lesson.day]} {period.start_time:%H:%M}" if period else str(DAY_NAMES[lesson.day])


@requires(VERSION_MANAGE)
@require_http_methods(["GET", "POST"])
def lesson_edit(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Move, swap or lock one lesson; the clashes of a new place are shown before it is placed."""
    lesson = Lesson.objects.filter(pk=lesson_id).select_related("requirement__group", "version", "room").first()
    if lesson is None:
        raise AccessNotFound(_("Ikke funnet."))
    version = _version(request, lesson.version_id, VERSION_MANAGE)
    back = request.GET.get("tilbake") or request.POST.get("tilbake") or ""
    if request.method == "POST":
        op = request.POST.get("handling", "")
        try:
            if op == "flytt":
                services.lesson_move(
                    lesson_id=lesson.pk,
                    day=_int(request.POST.get("dag"), -1),
                    position=_int(request.POST.get("time"), -1),
                    user=request.user,
                )
                messages.success(request, _("Timen er flyttet."))
            elif op == "bytt":
                other = Lesson.objects.filter(pk=_int(request.POST.get("annen")), version=version).first()
                if other is None:
                    raise DomainError(_("Velg en time å bytte med."))
                services.lesson_swap(lesson_id=lesson.pk, other_id=other.pk, user=request.user)
                messages.success(request, _("Timene er byttet."))
            elif op == "dagsendring":
                change = daychanges.day_change_record(
                    user=request.user,
                    lesson_id=lesson.pk,
                    date=_date(request.POST.get("dato")),
                    cancelled=bool(request.POST.get("avlyst")),
                    room_id=_int(request.POST.get("rom")) or None,
                    substitute_employee_id=_int(request.POST.get("vikar")) or None,
                    note=request.POST.get("merknad", "").strip()[:300],
                )
                messages.success(
                    request,
                    _("Dagsendringen er registrert, og de berørte får beskjed.")
                    if change.changed
                    else _("Dagsendringen var allerede registrert."),
                )
                return redirect(f"{reverse('timetable:lesson', args=[lesson.pk])}?tilbake={back}")
            elif op == "trekk_tilbake":
                daychanges.day_change_withdraw(
                    user=request.user, lesson_id=lesson.pk, date=_date(request.POST.get("dato"))
                )
                messages.success(
                    request, _("Dagsendringen er trukket tilbake. Timen går som planlagt, og de berørte får beskjed.")
                )
                return redirect(f"{reverse('timetable:lesson', args=[lesson.pk])}?tilbake={back}")
            elif op in ("laas", "laas_opp"):
                services.lesson_lock(lesson_id=lesson.pk, locked=op == "laas", user=request.user)
                messages.success(request, _("Timen er låst.") if op == "laas" else _("Timen er låst opp."))
            else:
                raise DomainError(_("Ukjent handling."))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(f"{reverse('timetable:lesson', args=[lesson.pk])}?tilbake={back}")
        if back.startswith(("klasse=", "laerer=", "rom=")):
            return redirect(f"{reverse('timetable:week', args=[version.pk])}?{back}")
        return redirect("timetable:version", version_id=version.pk)
    day, position = _int(request.GET.get("dag"), -1), _int(request.GET.get("time"), -1)
    clashes = (
        selectors.lesson_clashes(lesson=lesson, day=day, position=position) if day >= 0 and position >= 0 else None
    )
    same_day_lessons = (
        Lesson.objects.filter(version=version)
        .exclude(pk=lesson.pk)
        .select_related("requirement__group")
        .filter(requirement__classes__in=lesson.requirement.classes.all())
        .distinct()
        .order_by("day", "position")
    )
    return render(
        request,
        "timetable/lesson.html",
        {
            "lesson": lesson,
            "version": version,
            "editable": version.editable,
            "days": list(enumerate(selectors.day_names(version=version))),
            "periods": selectors.lesson_periods(version=version),
            "day": day,
            "position": position,
            "clashes": clashes,
            "others": [
                (o, f"{o.requirement.subject_name} {o.requirement.group.name} – {_when(o)}") for o in same_day_lessons
            ],
            "back": back,
            "current": _when(lesson),
            "rooms": list(Room.objects.filter(school_id=version.school_id)) if not version.editable else [],
            "substitutes": _teachers(selectors.version_requirements(version=version)) if not version.editable else [],
            "changes": daychanges.changes_for_display(lessons=[lesson], today=clock.today(), days=28)
            if not version.editable
            else [],
            "next_date": _next_date(lesson),
        },
    )


def _date(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise DomainError(_("Skriv en gyldig dato."), fields={"dato": [_("Ugyldig dato.")]}) from exc


def _next_date(lesson: Lesson) -> dt.date:
    today = clock.today()
    return today + dt.timedelta(days=(lesson.day - today.weekday()) % 7)


@requires(VERSION_READ)
@require_GET
def week_csv(request: HttpRequest, version_id: int) -> HttpResponse:
    """The week of one class or teacher as CSV (semicolon-separated, for Excel in Norway)."""
    version = _version(request, version_id)
    filters, title = _grid_filter(request, version)
    if not (filters["class_id"] or filters["teacher_id"]):
        raise DomainError(_("Velg en klasse eller en lærer."))
    lessons = selectors.version_lessons(version=version, **filters)
    audit_read(
        event="timetable.csv.export",
        person_ids=selectors.teacher_person_ids(lessons=lessons),
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="timeplan-{version.pk}.csv"'
    periods = {p.position: p for p in version.periods.all()}
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["Dag", "Fra", "Til", "Fag", "Gruppe", "Lærer", "Rom", "Timeplan"])
    for lsn in lessons:
        start = periods.get(lsn.position)
        end = periods.get(lsn.position + lsn.length - 1) or start
        # Lesson periods may not be adjacent positions (a break between): take the last covered lesson period.
        covering = [p for p in selectors.lesson_periods(version=version) if p.position >= lsn.position][: lsn.length]
        end = covering[-1] if covering else end
        writer.writerow(
            [
                str(DAY_NAMES[lsn.day]),
                f"{start.start_time:%H:%M}" if start else "",
                f"{end.end_time:%H:%M}" if end else "",
                lsn.requirement.subject_name,
                lsn.requirement.group.name,
                ", ".join(selectors.employee_name(t) for t in lsn.requirement.teachers.all()),
                lsn.room.name if lsn.room else "",
                title,
            ]
        )
    return response


@requires(VERSION_READ)
@require_GET
def version_fet(request: HttpRequest, version_id: int) -> HttpResponse:
    """The version as a FET file (open it in FET to compare or continue there)."""
    version = _version(request, version_id)
    audit_read(
        event="timetable.fet.export",
        person_ids=sorted({t.person_id for r in version.requirements.all() for t in r.teachers.all()}),
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    response = HttpResponse(fet.version_to_fet(version=version), content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="timeplan-{version.pk}.fet"'
    return response


@requires("timetable.own.read")
@require_GET
def my_week(request: HttpRequest) -> HttpResponse:
    """The teacher's own lessons this week in the school's published timetable, with the ICS address."""
    employee = selectors.teacher_for_user(user=request.user)
    today = clock.today()
    weeks = []
    if employee is not None:
        for index, version in enumerate(selectors.published_versions_for_teacher(teacher_id=employee.pk, day=today)):
            lessons = selectors.version_lessons(version=version, teacher_id=employee.pk)
            changes = daychanges.changes_for_display(
                lessons=lessons, today=today, substitute_id=employee.pk if index == 0 else None
            )
            weeks.append(
                {
                    "version": version,
                    "changes": changes,
                    "rows": selectors.grid(version=version, lessons=lessons),
                    "days": selectors.day_names(version=version),
                }
            )
    token = signing.dumps({"k": "t", "u": request.user.pk}, salt=ICS_SALT)
    return render(
        request,
        "timetable/mine.html",
        {"weeks": weeks, "ics_url": request.build_absolute_uri(reverse("timetable:ics", args=[token]))},
    )


@requires("timetable.child.read")
@require_GET
def portal_week(request: HttpRequest) -> HttpResponse:
    """The guardian's view: each child's week in the school's published timetable."""
    today = clock.today()
    children = list(
        access_queryset(
            user=request.user, action="timetable.child.read", queryset=Person.objects.order_by("first_name")
        )
    )
    rows = []
    for child in children:
        if not may_learn_whereabouts(user=request.user, child=child):
            continue
        found = selectors.child_week(child_id=child.pk, day=today)
        if found is None:
            continue
        version, lessons = found
        token = signing.dumps({"k": "c", "u": request.user.pk, "c": child.pk}, salt=ICS_SALT)
        rows.append(
            {
                "child": child,
                "version": version,
                "changes": daychanges.changes_for_display(lessons=lessons, today=today),
                "rows": selectors.grid(version=version, lessons=lessons),
                "days": selectors.day_names(version=version),
                "ics_url": request.build_absolute_uri(reverse("timetable:ics", args=[token])),
            }
        )
    audit_read(event="timetable.portal.read", person_ids=[r["child"].pk for r in rows])
    return render(request, "timetable/portal.html", {"rows": rows})


@public
@require_GET
def ics_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed of a teacher's or a child's published lessons (a signed address; access re-checked each time)."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=ICS_SALT)
    except signing.BadSignature:
        return HttpResponse(_("Ugyldig adresse."), status=404, content_type="text/plain; charset=utf-8")
    user = get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()
    if user is None:
        return HttpResponse(_("Ugyldig adresse."), status=404, content_type="text/plain; charset=utf-8")
    today = clock.today()
    events: list[tuple[TimetableVersion, list[Lesson]]] = []
    extra: list[DayChange] = []
    if data.get("k") == "t" and has_action(user=user, action="timetable.own.read"):
        employee = selectors.teacher_for_user(user=user)
        if employee is not None:
            extra = daychanges.substitute_lessons(
                employee_id=employee.pk, start=today - dt.timedelta(days=7), end=today + dt.timedelta(weeks=ics.WEEKS)
            )
            events = [
                (v, selectors.version_lessons(version=v, teacher_id=employee.pk))
                for v in selectors.published_versions_for_teacher(teacher_id=employee.pk, day=today)
            ]
    elif data.get("k") == "c":
        child = Person.objects.filter(pk=data.get("c")).first()
        if (
            child is None
            or not has_action(user=user, action="timetable.child.read", target=child)
            or not may_learn_whereabouts(user=user, child=child)
        ):
            return HttpResponse(_("Ugyldig adresse."), status=404, content_type="text/plain; charset=utf-8")
        found = selectors.child_week(child_id=child.pk, day=today)
        events = [found] if found else []
        audit_read(event="timetable.ics.read", person_ids=[child.pk])
    else:
        return HttpResponse(_("Ugyldig adresse."), status=404, content_type="text/plain; charset=utf-8")
    lesson_ids = [lsn.pk for _version, lessons in events for lsn in lessons]
    changes = daychanges.day_changes_for(
        lesson_ids=lesson_ids, start=today - dt.timedelta(days=7), end=today + dt.timedelta(weeks=ics.WEEKS)
    )
    body = ics.calendar(events=events, start=today, changes=changes, extra=extra)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


# --- The version's data, maintained by hand -------------------------------------------------------------------

DATA_TITLES = {
    "timekrav": _("Timekrav"),
    "rammer": _("Lærere og rammer"),
    "utilgjengelig": _("Lærernes utilgjengelige tider"),
    "skoledagen": _("Skoledagen"),
    "rom": _("Rom"),
    "blokker": _("Parallelle blokker"),
}


def _data_rows(version: TimetableVersion, kind: str) -> list[tuple[int, list[str]]]:
    """The rows of one kind of data, as (id, cells) in the order the page's table shows them."""
    days = [str(d).capitalize() for d in DAY_NAMES]
    if kind == "timekrav":
        return [
            (
                r.pk,
                [
                    f"{r.subject_name} ({r.subject_code})",
                    r.group.name,
                    ", ".join(selectors.employee_name(t) for t in r.teachers.all()) or "–",
                    str(r.hours_per_week),
                    str(r.double_lessons),
                    str(r.max_per_day),
                    r.get_room_kind_display() or "–",
                ],
            )
            for r in selectors.version_requirements(version=version)
        ]
    if kind == "rammer":
        return [
            (
                f.pk,
                [
                    selectors.employee_name(f.teacher),
                    f"{f.position_percent} %",
                    str(f.frame_hours),
                    days[f.preferred_free_day] if f.preferred_free_day is not None else "–",
                    f.subject_codes or "–",
                ],
            )
            for f in version.frames.select_related("teacher__person").order_by(
                "teacher__person__last_name", "teacher__person__first_name"
            )
        ]
    if kind == "utilgjengelig":
        labels = {p.position: f"{p.label or p.position} ({p.start_time:%H:%M})" for p in version.periods.all()}
        return [
            (
                u.pk,
                [
                    selectors.employee_name(u.teacher) if u.teacher else "–",
                    days[u.day],
                    labels.get(u.position, str(u.position)) if u.position is not None else str(_("Hele dagen")),
                ],
            )
            for u in version.unavailable.filter(teacher__isnull=False)
            .select_related("teacher__person")
            .order_by("teacher__person__last_name", "day", "position")
        ]
    if kind == "skoledagen":
        return [
            (
                p.pk,
                [
                    str(p.position),
                    p.label,
                    p.get_kind_display(),
                    f"{p.start_time:%H:%M}–{p.end_time:%H:%M}",
                    str(_("Ja")) if p.late else str(_("Nei")),
                ],
            )
            for p in version.periods.order_by("position")
        ]
    if kind == "blokker":
        return [
            (
                b.pk,
                [
                    b.name,
                    "; ".join(
                        f"{r.subject_name} {r.group.name} ({', '.join(selectors.employee_name(t) for t in r.teachers.all()) or '–'})"
                        for r in b.requirements.all()
                    )
                    or "–",
                    ", ".join(sorted({str(r.hours_per_week) for r in b.requirements.all()})) or "–",
                ],
            )
            for b in version.blocks.prefetch_related("requirements__group", "requirements__teachers__person").order_by(
                "name"
            )
        ]
    return [
        (
            r.pk,
            [r.code, r.name, r.get_kind_display(), str(r.capacity), str(_("Ja")) if r.shared else str(_("Nei"))],
        )
        for r in Room.objects.filter(school_id=version.school_id).order_by("kind", "code")
    ]


DATA_HEADERS = {
    "timekrav": [_("Fag"), _("Klasse/gruppe"), _("Lærere"), _("Timer/uke"), _("Dobbelttimer"), _("Maks/dag"), _("Rom")],
    "rammer": [_("Lærer"), _("Stilling"), _("Ramme (timer/uke)"), _("Ønsket fridag"), _("Kompetanse")],
    "utilgjengelig": [_("Lærer"), _("Dag"), _("Time")],
    "skoledagen": [_("Nr."), _("Navn"), _("Type"), _("Tid"), _("Sen time")],
    "rom": [_("Kode"), _("Navn"), _("Romtype"), _("Plasser"), _("Delt")],
    "blokker": [_("Blokk"), _("Timer som går samtidig (lærere)"), _("Timer/uke")],
}


def _data_object(version: TimetableVersion, kind: str, obj_id: int) -> Any:
    model = forms_module.FORMS[kind]._meta.model
    scope: dict[str, Any] = {"school_id": version.school_id} if kind == "rom" else {"version": version}
    if kind == "utilgjengelig":
        scope["teacher__isnull"] = False
    found = model.objects.filter(pk=obj_id, **scope).first()
    if found is None:
        raise AccessNotFound(_("Ikke funnet."))
    return found


@requires(VERSION_MANAGE)
@require_http_methods(["GET", "POST"])
def version_data(request: HttpRequest, version_id: int, kind: str, obj_id: int | None = None) -> HttpResponse:
    """Add, edit and delete one kind of a version's data (htmx: the panel is swapped in place)."""
    if kind not in forms_module.FORMS:
        raise AccessNotFound(_("Ikke funnet."))
    version = _version(request, version_id, VERSION_MANAGE)
    form_class = forms_module.FORMS[kind]
    obj = _data_object(version, kind, obj_id) if obj_id else None
    editable = version.editable or kind == "rom"
    list_url = reverse("timetable:data", args=[version.pk, kind])
    status = 200
    week_form = forms_module.WeekForm(version=version) if kind == "skoledagen" else None
    form = form_class(instance=obj, version=version) if editable else None
    if request.method == "POST":
        if not editable:
            messages.error(
                request,
                _("Versjonen er publisert og kan ikke endres. Kopier den til et nytt utkast for å gjøre endringer."),
            )
            return redirect(list_url)
        try:
            if request.POST.get("handling") == "slett" and obj is not None:
                services.version_data_delete(user=request.user, version_id=version.pk, kind=kind, obj=obj)
                messages.success(request, _("Slettet."))
                obj, form = None, form_class(version=version)
            elif request.POST.get("handling") == "uke" and week_form is not None:
                week_form = forms_module.WeekForm(request.POST, version=version)
                if week_form.is_valid():
                    services.version_data_save(user=request.user, version_id=version.pk, kind="uke", form=week_form)
                    messages.success(request, _("Lagret."))
                    week_form = forms_module.WeekForm(version=version)
                else:
                    status = 400
            else:
                form = form_class(request.POST, instance=obj, version=version)
                if form.is_valid():
                    services.version_data_save(user=request.user, version_id=version.pk, kind=kind, form=form)
                    messages.success(request, _("Lagret."))
                    obj, form = None, form_class(version=version)
                else:
                    status = 400
        except DomainError as exc:
            messages.error(request, exc.message)
            status = 400
        if status == 200 and not request.headers.get("HX-Request"):
            return redirect(list_url)
    shown: dict[str, Any] = {
        "timekrav": version.requirements.values_list("teachers__person_id", flat=True),
        "rammer": version.frames.values_list("teacher__person_id", flat=True),
        "utilgjengelig": version.unavailable.values_list("teacher__person_id", flat=True),
        "blokker": version.requirements.filter(block__isnull=False).values_list("teachers__person_id", flat=True),
    }
    audit_read(
        event=f"timetable.data.{kind}.read",
        person_ids=sorted({p for p in shown.get(kind, []) if p}),
        object_type="timetable.TimetableVersion",
        object_id=version.pk,
    )
    context = {
        "version": version,
        "kind": kind,
        "title": DATA_TITLES[kind],
        "headers": DATA_HEADERS[kind],
        "rows": _data_rows(version, kind),
        "form": form,
        "week_form": week_form,
        "obj": obj,
        "editable": editable,
        "list_url": list_url,
        "kinds": [(k, DATA_TITLES[k]) for k in forms_module.FORMS],
    }
    template = "timetable/_data_panel.html" if request.headers.get("HX-Request") else "timetable/data.html"
    return render(request, template, context, status=status)
