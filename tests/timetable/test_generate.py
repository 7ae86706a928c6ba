"""The generator as a run on a version: progress, one run at a time, cancel, published versions, hand edits."""

from __future__ import annotations

from collections import defaultdict

import pytest

from oas.audit.models import AuditEvent
from oas.errors import DomainError
from tests.timetable.conftest import TimetableDemo, persona_user
from timetable import services
from timetable.models import Lesson, LessonChange, RunStatus, SolverRun
from timetable.selectors import lesson_clashes, lesson_periods

pytestmark = pytest.mark.django_db


def test_the_demo_timetable_is_complete_and_has_no_clash(tt_demo: TimetableDemo) -> None:
    version = tt_demo.version
    run = version.runs.get()
    assert run.status == RunStatus.DONE
    assert run.solutions >= 1
    assert run.objective is not None
    placed: dict[int, int] = defaultdict(int)
    teacher_slots: set[tuple[int, int, int]] = set()
    class_slots: set[tuple[int, int, int]] = set()
    positions = [p.position for p in lesson_periods(version=version)]
    for lesson in version.lessons.prefetch_related("requirement__teachers", "requirement__classes"):
        placed[lesson.requirement_id] += lesson.length
        covered = positions[positions.index(lesson.position) :][: lesson.length]
        for pos in covered:
            for teacher in lesson.requirement.teachers.all():
                assert (teacher.pk, lesson.day, pos) not in teacher_slots
                teacher_slots.add((teacher.pk, lesson.day, pos))
            if lesson.requirement.block_id is None:
                for klass in lesson.requirement.classes.all():
                    assert (klass.pk, lesson.day, pos) not in class_slots
                    class_slots.add((klass.pk, lesson.day, pos))
    assert placed == {r.pk: r.hours_per_week for r in version.requirements.all()}
    # A room of the right type for every lesson that needs one.
    assert not version.lessons.exclude(requirement__room_kind="").filter(room__isnull=True).exists()


def test_a_published_version_is_not_edited_but_copied_to_a_draft(tt_demo: TimetableDemo) -> None:
    user = persona_user("rektor")
    lesson = tt_demo.version.lessons.first()
    assert lesson is not None
    with pytest.raises(DomainError, match="Kopier den til et nytt utkast"):
        services.lesson_lock(lesson_id=lesson.pk, locked=True, user=user)
    with pytest.raises(DomainError, match="Kopier den til et nytt utkast"):
        services.run_start(version_id=tt_demo.version.pk, user=user)
    draft = services.version_copy(version_id=tt_demo.version.pk, user=user)
    assert draft.status == "draft"
    assert draft.lessons.count() == tt_demo.version.lessons.count()
    assert draft.requirements.count() == tt_demo.version.requirements.count()


def test_two_runs_on_one_version_at_once_are_refused_and_a_queued_run_can_be_cancelled(
    tt_demo: TimetableDemo, django_capture_on_commit_callbacks: object
) -> None:
    user = persona_user("rektor")
    draft = services.version_copy(version_id=tt_demo.version.pk, user=user)
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        run = services.run_start(version_id=draft.pk, user=user, seed=3, time_limit=2)
        with pytest.raises(DomainError, match="kjører allerede"):
            services.run_start(version_id=draft.pk, user=user)
    services.run_cancel(run_id=run.pk, user=user)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert services.run_execute(run_id=run.pk) is not None
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED  # a cancelled run is never started
    with pytest.raises(DomainError, match="mellom 1 og"):
        services.run_start(version_id=draft.pk, user=user, time_limit=0)


def test_moving_a_lesson_shows_the_clashes_and_locked_lessons_survive_a_new_run(
    tt_demo: TimetableDemo, django_capture_on_commit_callbacks: object
) -> None:
    user = persona_user("rektor")
    draft = services.version_copy(version_id=tt_demo.version.pk, user=user)
    lessons = list(draft.lessons.select_related("requirement").order_by("day", "position", "pk"))
    first = lessons[0]
    # Another lesson of the same class at another time: moving onto it clashes for the pupils.
    same_class = next(
        lsn
        for lsn in lessons
        if (lsn.day, lsn.position) != (first.day, first.position)
        and set(lsn.requirement.classes.values_list("pk", flat=True))
        & set(first.requirement.classes.values_list("pk", flat=True))
    )
    clashes = lesson_clashes(lesson=first, day=same_class.day, position=same_class.position)
    assert any("Elevene har allerede" in c for c in clashes)
    with pytest.raises(DomainError, match="kan ikke flyttes"):
        services.lesson_move(lesson_id=first.pk, day=same_class.day, position=same_class.position, user=user)
    first.refresh_from_db()
    # Lock a lesson; regenerate with another seed: the locked lesson stays.
    services.lesson_lock(lesson_id=first.pk, locked=True, user=user)
    assert LessonChange.objects.filter(lesson=first, action="lock", user_id=user.pk).exists()
    assert AuditEvent.objects.filter(event="timetable.lesson.lock", object_id=str(first.pk)).exists()
    with django_capture_on_commit_callbacks(execute=False):  # type: ignore[operator]
        run = services.run_start(version_id=draft.pk, user=user, seed=7, time_limit=30)
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert Lesson.objects.filter(pk=first.pk, day=first.day, position=first.position, locked=True).exists()
    assert draft.lessons.count() >= len(lessons) - 5  # doubles may merge differently, hours stay exact
    assert sum(lsn.length for lsn in draft.lessons.all()) == sum(lsn.length for lsn in lessons)


def test_swapping_two_lessons_of_one_class_is_recorded(tt_demo: TimetableDemo) -> None:
    user = persona_user("rektor")
    draft = services.version_copy(version_id=tt_demo.version.pk, user=user)
    class_id = tt_demo.demo.class_1a.pk
    ones = list(
        draft.lessons.filter(requirement__classes=class_id, length=1, requirement__block__isnull=True)
        .select_related("requirement")
        .order_by("day", "position")
    )
    swapped = False
    for a in ones:
        for b in ones:
            if a.pk >= b.pk or a.requirement_id == b.requirement_id:
                continue
            try:
                services.lesson_swap(lesson_id=a.pk, other_id=b.pk, user=user)
            except DomainError:
                continue
            swapped = True
            break
        if swapped:
            break
    assert swapped
    assert LessonChange.objects.filter(version=draft, action="swap").count() == 2


def test_a_run_that_is_not_queued_is_left_alone(tt_demo: TimetableDemo) -> None:
    run = SolverRun.objects.get(version=tt_demo.version)
    assert services.run_execute(run_id=run.pk) == run
    assert services.run_execute(run_id=999999) is None
