"""A synthetic Norwegian 1–10 school as a solver ``Problem`` (benchmarks): classes, teachers, rooms, blocks.

The week has 45-minute lessons, as most schools' timetables do: 5 days of 7 periods. Each grade's lessons a week
follow Udir's minimum hours (``timetable.udir``, 60-minute hours over a stage, 38 school weeks) turned into
45-minute lessons and rounded, with physical activity (fysisk aktivitet) in grades 5–7: 26–27 lessons a week in
grades 1–7 and 30 in grades 8–10, so 30 classes have 837 lesson periods a week (780 lessons, a double counted
once) and 50 classes 1,377. Each class has a contact teacher for the core subjects; practical subjects go to
specialists filled up to a frame of 24 lessons; grades 8–10 have foreign languages (German, French, Spanish) as a
parallel block across the grade's classes. Rooms: gyms, art rooms, music, kitchen and science rooms in proportion to the classes.
"""

from __future__ import annotations

import random
from collections import defaultdict

from timetable.solver import Problem, SReq

FRAME = 24
DAYS = 5
PERIODS = 7
CORE = ("NOR", "MAT", "ENG", "NAT", "SAF", "KRLE", "FYS")
# grade band -> [(subject, lessons, double lessons, room kind, max a day)]: 45-minute lessons a week.
PLAN: dict[tuple[int, int], list[tuple[str, int, int, str, int]]] = {
    (1, 4): [
        ("NOR", 8, 0, "", 2),
        ("MAT", 5, 0, "", 2),
        ("ENG", 1, 0, "", 1),
        ("NAT", 2, 0, "", 1),
        ("SAF", 2, 0, "", 1),
        ("KRLE", 2, 0, "", 1),
        ("KHV", 3, 1, "art", 2),
        ("MUS", 2, 0, "music", 1),
        ("KRO", 2, 0, "gym", 1),
    ],
    (5, 7): [
        ("NOR", 5, 0, "", 2),
        ("MAT", 4, 0, "", 1),
        ("ENG", 3, 0, "", 1),
        ("NAT", 2, 0, "science", 1),
        ("SAF", 2, 0, "", 1),
        ("KRLE", 2, 0, "", 1),
        ("KHV", 2, 1, "art", 2),
        ("MUS", 1, 0, "music", 1),
        ("KRO", 3, 1, "gym", 2),
        ("MHE", 2, 1, "kitchen", 2),
        ("FYS", 1, 0, "", 1),
    ],
    (8, 10): [
        ("NOR", 4, 0, "", 1),
        ("MAT", 4, 0, "", 1),
        ("ENG", 3, 0, "", 1),
        ("NAT", 3, 0, "science", 1),
        ("SAF", 3, 0, "", 1),
        ("KRLE", 2, 0, "", 1),
        ("KHV", 2, 1, "art", 2),
        ("MUS", 1, 0, "music", 1),
        ("KRO", 3, 1, "gym", 2),
        ("MHE", 1, 0, "kitchen", 1),
        ("FSP", 3, 0, "", 1),
        ("UTV", 1, 0, "", 1),
    ],
}
LANGUAGES = 3


def _plan(grade: int) -> list[tuple[str, int, int, str, int]]:
    return next(plan for (first, last), plan in PLAN.items() if first <= grade <= last)


def synthetic_school(*, classes: int = 30, seed: int = 0, impossible: bool = False) -> tuple[Problem, dict[str, int]]:
    """Return a school of ``classes`` classes spread over grades 1–10, and its counts (lessons, teachers …)."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
    grades = [1 + (i * 10) // classes for i in range(classes)]
    by_grade: dict[int, list[int]] = defaultdict(list)
    for class_id, grade in enumerate(grades, start=1):
        by_grade[grade].append(class_id)
    next_teacher = [1000]
    load: dict[int, int] = defaultdict(int)
    specialists: dict[str, list[int]] = defaultdict(list)

    def new_teacher() -> int:
        next_teacher[0] += 1
        return next_teacher[0]

    def specialist(code: str, hours: int) -> int:
        for teacher in specialists[code]:
            if load[teacher] + hours <= FRAME:
                return teacher
        teacher = new_teacher()
        specialists[code].append(teacher)
        return teacher

    reqs: list[SReq] = []
    contact: dict[int, int] = {}
    next_req = [0]

    def add(
        lengths: tuple[int, ...],
        teacher: int,
        class_ids: tuple[int, ...],
        room: str,
        per_day: int,
        block: int | None = None,
    ) -> None:
        next_req[0] += 1
        reqs.append(SReq(next_req[0], lengths, (teacher,), class_ids, room, per_day, block))
        load[teacher] += sum(lengths)

    for grade, class_ids in sorted(by_grade.items()):
        for class_id in class_ids:
            contact[class_id] = new_teacher()
            for code, hours, doubles, room, per_day in _plan(grade):
                lengths = (2,) * doubles + (1,) * (hours - 2 * doubles)
                if code == "FSP":
                    continue
                teacher = contact[class_id] if code in CORE else specialist(code, hours)
                if code in CORE and load[teacher] + hours > FRAME:
                    teacher = specialist(code, hours)
                add(lengths, teacher, (class_id,), room, per_day)
        if grade >= 8:
            hours = next(h for c, h, *_ in _plan(grade) if c == "FSP")
            for language in range(LANGUAGES):  # one teacher per language: the block is taught at once
                add((1,) * hours, specialist(f"FSP{language}", hours), tuple(class_ids), "", 1, block=grade)
    rooms = {"gym": max(1, (classes + 11) // 12), "art": max(1, (classes + 11) // 12)}
    rooms |= {kind: max(1, (classes + 17) // 18) for kind in ("music", "kitchen", "science")}
    capacity = {kind: {(d, s): n for d in range(DAYS) for s in range(PERIODS)} for kind, n in rooms.items()}
    unavailable: dict[int, set[tuple[int, int]]] = {}
    teachers = sorted(load)
    for teacher in rng.sample(teachers, k=len(teachers) // 5):  # a fifth of the staff part-time: a day off
        day = rng.randrange(DAYS)
        unavailable[teacher] = {(day, s) for s in range(PERIODS)}
    if impossible:
        # The first class's contact teacher is only there on Monday: fewer periods than their lessons.
        unavailable[contact[1]] = {(d, s) for d in range(1, DAYS) for s in range(PERIODS)}
    problem = Problem(
        days=DAYS,
        periods=PERIODS,
        requirements=reqs,
        late_periods=frozenset({PERIODS - 1}),
        no_gap_classes=frozenset(c for c, g in enumerate(grades, start=1) if g <= 7),
        teacher_unavailable=unavailable,
        room_capacity=capacity,
    )
    counts = {
        "classes": classes,
        "lessons": sum(len(r.lengths) for r in reqs),
        "hours": sum(sum(r.lengths) for r in reqs),
    }
    counts["teachers"] = len(load)
    return problem, counts
