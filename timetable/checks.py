"""Checks before solving, and the solver's conflicts told in plain Norwegian.

``version_check`` finds what makes a plan wrong or impossible before the solver runs: a teacher's hours against
their frame and the times they can teach, each room type's demand against the rooms, a class's hours against the
week, and the plan against Udir's minimum hours per subject and stage. ``explain_keys`` turns the solver's
unsatisfiable core (keys such as ``avail:12``) into sentences the principal can act on.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from timetable import udir
from timetable.models import DAY_NAMES, Lesson, Period, Requirement, Room, RoomKind, TimetableVersion, Unavailability
from timetable.selectors import employee_name, lesson_periods, version_requirements


@dataclass(frozen=True)
class Finding:
    severity: str  # "error": the solver cannot succeed; "warning": allowed but worth a look
    text: str


def _available_slots(*, version: TimetableVersion, periods: list[Period]) -> dict[int, int]:
    """Return, per teacher with unavailable times, the number of lesson periods they can teach."""
    positions = {p.position for p in periods}
    off: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for row in Unavailability.objects.filter(version=version, teacher__isnull=False):
        assert row.teacher_id is not None
        if row.position is None:
            off[row.teacher_id] |= {(row.day, p) for p in positions}
        elif row.position in positions:
            off[row.teacher_id].add((row.day, row.position))
    total = version.days_per_week * len(periods)
    return {teacher: total - len(slots) for teacher, slots in off.items()}


def version_check(*, version: TimetableVersion) -> list[Finding]:  # noqa: PLR0912, PLR0915 - one list of checks
    """Return the problems of a version's plan, in Norwegian: errors first."""
    findings: list[Finding] = []
    periods = lesson_periods(version=version)
    week = version.days_per_week * len(periods)
    requirements = version_requirements(version=version)
    if not periods:
        findings.append(Finding("error", _("Uken har ingen undervisningstimer.")))
        return findings
    # Teachers: load against frame and availability; competence.
    load: dict[int, int] = defaultdict(int)
    teachers = {}
    for req in requirements:
        if not req.teachers.all():
            findings.append(Finding("error", _("%(group)s %(subject)s har ingen lærer.") % _names(req)))
        for teacher in req.teachers.all():
            load[teacher.pk] += req.hours_per_week
            teachers[teacher.pk] = teacher
        if req.hours_per_week > week:
            findings.append(
                Finding(
                    "error",
                    _("%(group)s skal ha %(hours)s timer %(subject)s, men uken har bare %(week)s timer.")
                    % {**_names(req), "hours": req.hours_per_week, "week": week},
                )
            )
        if req.double_lessons and len(periods) < 2:
            findings.append(
                Finding("error", _("%(group)s %(subject)s har dobbelttimer, men dagen har bare én time.") % _names(req))
            )
    frames = {f.teacher_id: f for f in version.frames.select_related("teacher__person")}
    available = _available_slots(version=version, periods=periods)
    for teacher_id, hours in sorted(load.items()):
        name = employee_name(teacher := teachers[teacher_id])
        can = available.get(teacher_id, week)
        if hours > can:
            findings.append(
                Finding(
                    "error",
                    _("%(name)s skal ha %(hours)s timer, men er bare tilgjengelig i %(can)s.")
                    % {"name": name, "hours": hours, "can": can},
                )
            )
        frame = frames.get(teacher_id)
        if frame is not None and hours > frame.frame_hours:
            findings.append(
                Finding(
                    "warning",
                    _("%(name)s skal ha %(hours)s timer, men undervisningsrammen er %(frame)s.")
                    % {"name": name, "hours": hours, "frame": frame.frame_hours},
                )
            )
        if frame is not None and frame.subject_codes:
            competent = {c.strip().upper() for c in frame.subject_codes.split(",") if c.strip()}
            findings.extend(
                Finding(
                    "warning",
                    _("%(name)s underviser %(subject)s i %(group)s uten registrert kompetanse i faget.")
                    % {"name": name, **_names(req)},
                )
                for req in requirements
                if teacher in req.teachers.all() and req.subject_code.upper() not in competent
            )
    # Rooms of each type against the demand.
    rooms: dict[str, list[Room]] = defaultdict(list)
    for room in Room.objects.filter(school_id=version.school_id):
        rooms[room.kind].append(room)
    demand: dict[str, int] = defaultdict(int)
    for req in requirements:
        if req.room_kind and req.room_kind != RoomKind.CLASSROOM:
            demand[req.room_kind] += req.hours_per_week
    kinds = dict(RoomKind.choices)
    for kind, hours in sorted(demand.items()):
        have = len(rooms[kind])
        room_off = Unavailability.objects.filter(version=version, room__kind=kind, room__school_id=version.school_id)
        closed = sum(len(periods) if r.position is None else 1 for r in room_off)
        capacity = have * week - closed
        if hours > capacity:
            findings.append(
                Finding(
                    "error",
                    _(
                        "Timene trenger %(hours)s timer i %(kind)s i uken, men skolen har bare %(capacity)s (%(rooms)s rom)."
                    )
                    % {"hours": hours, "kind": str(kinds[kind]).lower(), "capacity": capacity, "rooms": have},
                )
            )
    # Classes: hours against the week, and against Udir's minimum per subject and stage.
    class_hours: dict[int, int] = defaultdict(int)
    class_subject: dict[tuple[int, str], int] = defaultdict(int)
    class_names: dict[int, tuple[str, int | None]] = {}
    counted_blocks: set[tuple[int, int]] = set()
    for req in requirements:
        for klass in req.classes.all():
            class_names[klass.pk] = (klass.name, klass.grade)
            class_subject[(klass.pk, req.subject_code)] = max(
                class_subject[(klass.pk, req.subject_code)], req.hours_per_week
            )
            if req.block_id is not None:
                if (klass.pk, req.block_id) in counted_blocks:
                    continue
                counted_blocks.add((klass.pk, req.block_id))
            class_hours[klass.pk] += req.hours_per_week
    for class_id, hours in sorted(class_hours.items()):
        if hours > week:
            findings.append(
                Finding(
                    "error",
                    _("%(klass)s skal ha %(hours)s timer, men uken har bare %(week)s.")
                    % {"klass": class_names[class_id][0], "hours": hours, "week": week},
                )
            )
    hours_per_period = (periods[0].end_time.hour * 60 + periods[0].end_time.minute) - (
        periods[0].start_time.hour * 60 + periods[0].start_time.minute
    )
    minutes = version.period_minutes or hours_per_period
    subjects_in_plan = {code for (_c, code) in class_subject}
    for (class_id, code), weekly in sorted(class_subject.items()):
        name, grade = class_names[class_id]
        minimum = udir.minimum_for(subject_code=code, grade=grade) if grade else None
        if minimum is None:
            continue
        per_year = minimum.hours / minimum.grades
        planned = weekly * minutes / 60 * version.weeks_per_year
        if planned < per_year * (1 - udir.LOCAL_SHIFT):
            findings.append(
                Finding(
                    "warning",
                    _(
                        "%(klass)s får %(planned)s timer %(subject)s i året, men Udirs minstetimetall for %(stage)s "
                        "(%(total)s timer) tilsvarer %(per_year)s i året, også med 10 %% lokal omfordeling."
                    )
                    % {
                        "klass": name,
                        "planned": round(planned),
                        "subject": code,
                        "stage": minimum.stage_label,
                        "total": minimum.hours,
                        "per_year": round(per_year),
                    },
                )
            )
    for class_id, (name, grade) in sorted(class_names.items()):
        if not grade:
            continue
        missing = sorted(
            {m.subject_code for m in udir.MINIMUMS if m.first_grade <= grade <= m.last_grade}
            - {code for (cid, code) in class_subject if cid == class_id}
        )
        if missing and subjects_in_plan:
            findings.append(
                Finding(
                    "warning",
                    _("%(klass)s har ingen timer i %(subjects)s.") % {"klass": name, "subjects": ", ".join(missing)},
                )
            )
    # Parallel blocks: members must have the same hours.
    by_block: dict[int, list[Requirement]] = defaultdict(list)
    for req in requirements:
        if req.block_id is not None:
            by_block[req.block_id].append(req)
    for members in by_block.values():
        if len({(m.hours_per_week, m.double_lessons) for m in members}) > 1:
            block = members[0].block
            assert block is not None
            findings.append(
                Finding("error", _("Gruppene i blokka %(block)s har ulikt antall timer.") % {"block": block.name})
            )
    return sorted(findings, key=lambda f: f.severity != "error")


def _names(req: Requirement) -> dict[str, str]:
    return {"group": req.group.name, "subject": req.subject_name.lower()}


def explain_keys(*, version: TimetableVersion, keys: list[str]) -> list[dict[str, str]]:
    """Return each core key with a Norwegian sentence (``[{"key", "text"}]``)."""
    periods = lesson_periods(version=version)
    week = version.days_per_week * len(periods)
    requirements = {r.pk: r for r in version_requirements(version=version)}
    available = _available_slots(version=version, periods=periods)
    out = []
    kinds = dict(RoomKind.choices)
    for key in keys:
        kind, _sep, raw = key.partition(":")
        text = key
        if kind == "unknown":
            text = _(
                "Generatoren fant ikke innen tidsgrensen hvilke krav som kolliderer. Se kontrollen før generering, "
                "eller prøv igjen med lengre tidsgrense."
            )
        elif kind == "avail":
            teacher_id = int(raw)
            reqs = [r for r in requirements.values() if any(t.pk == teacher_id for t in r.teachers.all())]
            teacher = next((t for r in reqs for t in r.teachers.all() if t.pk == teacher_id), None)
            hours = sum(r.hours_per_week for r in reqs)
            name = employee_name(teacher) if teacher else str(teacher_id)
            text = _("%(name)s skal ha %(hours)s timer, men er bare tilgjengelig i %(can)s.") % {
                "name": name,
                "hours": hours,
                "can": available.get(teacher_id, week),
            }
        elif kind in ("hours", "maxday") and int(raw) in requirements:
            req = requirements[int(raw)]
            if kind == "hours":
                text = _("%(group)s skal ha %(hours)s timer %(subject)s i uken.") % {
                    **_names(req),
                    "hours": req.hours_per_week,
                }
                if req.double_lessons:
                    text += " " + _("%(n)s av dem som dobbelttimer.") % {"n": req.double_lessons}
            else:
                text = _("%(group)s kan ha høyst %(n)s timer %(subject)s samme dag.") % {
                    **_names(req),
                    "n": req.max_per_day,
                }
        elif kind == "gaps":
            klass = next((c for r in requirements.values() for c in r.classes.all() if c.pk == int(raw)), None)
            text = _("%(klass)s skal ikke ha hull i skoledagen (1.–7. trinn).") % {
                "klass": klass.name if klass else raw
            }
        elif kind == "rooms":
            rooms = list(Room.objects.filter(school_id=version.school_id, kind=raw).order_by("code"))
            users = sorted({r.group.name for r in requirements.values() if r.room_kind == raw})
            text = _("%(groups)s trenger %(kind)s, men skolen har %(n)s (%(names)s).") % {
                "groups": _join(users),
                "kind": str(kinds.get(raw, raw)).lower(),
                "n": len(rooms),
                "names": ", ".join(r.name for r in rooms) or "–",
            }
        elif kind == "block":
            members = [r for r in requirements.values() if r.block_id == int(raw)]
            name = members[0].block.name if members and members[0].block else raw
            text = _("Blokka %(block)s skal ha %(groups)s samtidig.") % {
                "block": name,
                "groups": _join([f"{r.group.name} {r.subject_name.lower()}" for r in members]),
            }
        elif kind == "fixed":
            locked = list(
                Lesson.objects.filter(version=version, locked=True).order_by("pk").select_related("requirement__group")
            )
            index = int(raw)
            if index < len(locked):
                lsn = locked[index]
                text = _("Den låste timen %(group)s %(subject)s %(day)s kl. %(time)s.") % {
                    **_names(lsn.requirement),
                    "day": str(DAY_NAMES[lsn.day]),
                    "time": next((f"{p.start_time:%H:%M}" for p in periods if p.position == lsn.position), "?"),
                }
        out.append({"key": key, "text": text})
    return out


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " " + _("og") + " " + items[-1]
