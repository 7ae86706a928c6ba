"""Moving in and out from Folkeregisteret's feed: a school-age child (grades 1–10) who moves gets a task at both
schools (issue 16 point 2). Through the live client and the FREG simulator, on the demo municipality with the school
demo on top; the same event twice is one task; the office completes each part (placement ended / pupil enrolled)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from integrations.freg.population import EventGenerator, nid_of
from integrations.freg.sync import freg_initial_load, freg_sync_feed
from integrations.models import FregCursor
from integrations.models.freg import SyncRunStatus
from integrations.public import RegisterPersonChange
from oas import clock
from oas.audit.models import AuditEvent
from oas.demo_personas import DEMO_SCHOOL_CODE, OTHER_SCHOOL_CODE
from oas.organisation.models import OrgUnit, OrgUnitKind
from oas.people.models import Person, Placement, Service
from oas.periods import DATED, active_on
from school.arbeidsflate import PupilMoveProvider
from school.models import MoveSource, PupilMove
from school.moves import grade_by_age, pupil_moves_from_register
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 19)


def _sleep(_seconds: float) -> None:
    return None


def _current_home(doc: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in doc.get("bostedsadresse") or [] if e.get("erGjeldende"))


def _school_age(doc: dict[str, Any], low: int = 2, high: int = 6) -> bool:
    found: dict[str, Any] = next((e for e in doc.get("foedsel") or [] if e.get("erGjeldende", True)), {})
    born = found.get("foedselsdato")
    if not born:
        return False
    return low <= grade_by_age(birth_date=dt.date.fromisoformat(born), day=TODAY) <= high


def _sync(client: Any) -> None:
    with clock.freeze(TODAY):
        run = freg_sync_feed(client=client, today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error


def _leader(school: OrgUnit) -> Client:
    employment = f.EmploymentFactory.create(unit=school, position_code="REKTOR")
    client = Client()
    client.force_login(f.staff_account(employment.employee).user)
    return client


@pytest.fixture
def world(demo_municipality: object, freg_client: Any, freg_population: Any) -> dict[str, Any]:
    with clock.freeze(TODAY):
        call_command("seed_school_demo", stdout=io.StringIO())
    school_a = OrgUnit.objects.get(code=DEMO_SCHOOL_CODE)
    school_b = OrgUnit.objects.get(code=OTHER_SCHOOL_CODE)
    assert school_a.skolekrets and school_b.skolekrets and school_a.skolekrets != school_b.skolekrets
    generator, state = freg_population
    pupils = [n for n in state.children if state.documents[n].get("bostedsadresse") and _school_age(state.documents[n])]
    staying, leaving = pupils[0], pupils[1]
    for number in (staying, leaving):  # both live in school A's krets
        _current_home(state.documents[number])["skolekrets"] = school_a.skolekrets
    with clock.freeze(TODAY):
        run = freg_initial_load(client=freg_client, municipality_number="3030", today=TODAY, sleep=_sleep)
    assert run.status == SyncRunStatus.SUCCEEDED, run.error
    klass = OrgUnit.objects.filter(parent=school_a, kind=OrgUnitKind.CLASS, valid_to__isnull=True).first()
    for number in (staying, leaving):
        Placement.objects.create(
            child=Person.objects.get(national_id=number),
            service=Service.SCHOOL,
            unit=school_a,
            group=klass,
            start_date=dt.date(2026, 8, 15),
        )
    return {
        "generator": generator,
        "state": state,
        "a": school_a,
        "b": school_b,
        "mover": staying,
        "leaver": leaving,
        "client": freg_client,
    }


def test_moves_from_the_feed_give_both_schools_a_task_once(world: dict[str, Any]) -> None:
    state, school_a, school_b = world["state"], world["a"], world["b"]
    events = EventGenerator(state=state, generator=world["generator"])
    events.move(world["mover"], new_skolekrets=True)
    _current_home(state.documents[world["mover"]])["skolekrets"] = school_b.skolekrets
    events.move(world["leaver"], out_of_municipality=True)
    newcomer = None
    for _ in range(10):  # a family moving in with a school-age child (and perhaps younger ones)
        children, _adults = events.family_moves_in()
        last = school_b.last_grade or 7  # a grade school B (a primary school) has
        newcomer = next((c for c in children if _school_age(state.documents[c], 1, last)), None)
        if newcomer:
            break
    assert newcomer is not None
    _current_home(state.documents[newcomer])["skolekrets"] = school_b.skolekrets
    before = FregCursor.objects.get().last_sequence

    _sync(world["client"])

    mover = Person.objects.get(national_id=world["mover"])
    leaver = Person.objects.get(national_id=world["leaver"])
    arrived = Person.objects.get(national_id=newcomer)
    moves = {m.pupil_id: m for m in PupilMove.objects.filter(source=MoveSource.REGISTER)}
    assert set(moves) == {mover.pk, leaver.pk, arrived.pk}  # nobody else: not the younger siblings, not adults
    assert (moves[mover.pk].from_school_id, moves[mover.pk].to_school_id) == (school_a.pk, school_b.pk)
    assert (moves[leaver.pk].from_school_id, moves[leaver.pk].to_school_id) == (school_a.pk, None)
    assert (moves[arrived.pk].from_school_id, moves[arrived.pk].to_school_id) == (None, school_b.pk)
    assert all(m.register_sequence for m in moves.values())
    assert AuditEvent.objects.filter(event="school.pupil.move.register", person_ids__contains=[arrived.pk]).exists()

    # The same events again (the cursor set back, a redelivered page): still one task each.
    FregCursor.objects.update(last_sequence=before)
    _sync(world["client"])
    assert PupilMove.objects.filter(source=MoveSource.REGISTER).count() == 3
    # And the listener called twice with the same event directly.
    again = [RegisterPersonChange(person_id=mover.pk, sequence=999, created=False, changes={"skolekrets": (1, 2)})]
    with clock.freeze(TODAY):
        pupil_moves_from_register(again, TODAY)
        pupil_moves_from_register(again, TODAY)
    assert PupilMove.objects.filter(pupil=mover).count() == 1  # the open move for the same schools is not repeated

    # Both schools see the tasks in the arbeidsflate and on the office page.
    rektor_b = _leader(school_b)
    page = rektor_b.get(f"/skole/{school_b.pk}/kontor/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-move="{moves[mover.pk].pk}" data-source="register"' in html
    assert f'data-move="{moves[arrived.pk].pk}" data-source="register"' in html
    rektor_a = _leader(school_a)
    html_a = rektor_a.get(f"/skole/{school_a.pk}/kontor/").content.decode()
    assert f'data-move="{moves[leaver.pk].pk}"' in html_a and f'data-move="{moves[mover.pk].pk}"' in html_a


def test_each_school_completes_its_part_and_others_are_refused(world: dict[str, Any]) -> None:
    state, school_a, school_b = world["state"], world["a"], world["b"]
    events = EventGenerator(state=state, generator=world["generator"])
    events.move(world["mover"], new_skolekrets=True)
    _current_home(state.documents[world["mover"]])["skolekrets"] = school_b.skolekrets
    _sync(world["client"])
    mover = Person.objects.get(national_id=world["mover"])
    move = PupilMove.objects.get(pupil=mover, source=MoveSource.REGISTER)
    rektor_a, rektor_b = _leader(school_a), _leader(school_b)
    other = (
        OrgUnit.objects.filter(kind=OrgUnitKind.SCHOOL, municipality=school_a.municipality)
        .exclude(pk__in=[school_a.pk, school_b.pk])
        .first()
    )
    assert other is not None

    with clock.freeze(TODAY):
        # A leader of another school may not act on either school's part.
        assert _leader(other).post(f"/skole/{school_b.pk}/flytting/{move.pk}/").status_code == 404
        # School B enrols the pupil; school A ends its placement.
        assert rektor_b.post(f"/skole/{school_b.pk}/flytting/{move.pk}/").status_code == 302
        assert rektor_a.post(f"/skole/{school_a.pk}/flytting/{move.pk}/").status_code == 302

    move.refresh_from_db()
    assert move.from_done_at and move.to_done_at
    now = Placement.objects.get(active_on(TODAY, fields=DATED), child=mover, service=Service.SCHOOL)
    assert (now.unit_id, now.group_id) == (school_b.pk, None)
    assert Placement.objects.filter(child=mover, unit=school_a, end_date=TODAY - dt.timedelta(days=1)).exists()
    assert AuditEvent.objects.filter(event="school.pupil.move.done", person_ids=[mover.pk]).count() == 2
    with clock.freeze(TODAY):
        user_a = f.staff_account(f.EmploymentFactory.create(unit=school_a, position_code="REKTOR").employee).user
        assert PupilMoveProvider().tasks_for(user=user_a) == []


def test_a_child_not_of_school_age_gets_no_task(world: dict[str, Any]) -> None:
    state = world["state"]
    small = next(
        (
            n
            for n in state.children
            if state.documents[n].get("bostedsadresse") and not _school_age(state.documents[n], 1, 10)
        ),
        None,
    )
    assert small is not None
    EventGenerator(state=state, generator=world["generator"]).move(small, new_skolekrets=True)
    _current_home(state.documents[small])["skolekrets"] = world["b"].skolekrets
    _sync(world["client"])
    assert not PupilMove.objects.filter(pupil__national_id=small).exists()
    assert nid_of(state.documents[small]) == small


def test_the_register_moving_date_dates_the_move_reported_late_or_ahead(world: dict[str, Any]) -> None:
    """The register's flyttedato, not the day the feed is read, dates the move and the placements' end and start."""
    state, school_a, school_b = world["state"], world["a"], world["b"]
    late, ahead = TODAY - dt.timedelta(days=20), TODAY + dt.timedelta(days=30)
    events = EventGenerator(state=state, generator=world["generator"])
    events.move(world["mover"], new_skolekrets=True, flyttedato=late)  # reported three weeks after the fact
    _current_home(state.documents[world["mover"]])["skolekrets"] = school_b.skolekrets
    events.move(world["leaver"], out_of_municipality=True, flyttedato=ahead)  # reported a month ahead
    _sync(world["client"])
    mover = Person.objects.get(national_id=world["mover"])
    leaver = Person.objects.get(national_id=world["leaver"])
    moved = PupilMove.objects.get(pupil=mover, source=MoveSource.REGISTER)
    leaving = PupilMove.objects.get(pupil=leaver, source=MoveSource.REGISTER)
    assert (moved.day, leaving.day) == (late, ahead)
    assert (moved.from_school_id, moved.to_school_id) == (school_a.pk, school_b.pk)

    rektor_a, rektor_b = _leader(school_a), _leader(school_b)
    with clock.freeze(TODAY):
        assert rektor_b.post(f"/skole/{school_b.pk}/flytting/{moved.pk}/").status_code == 302
        assert rektor_a.post(f"/skole/{school_a.pk}/flytting/{moved.pk}/").status_code == 302
        assert rektor_a.post(f"/skole/{school_a.pk}/flytting/{leaving.pk}/").status_code == 302

    # Late: school A's placement ended the day before the register's moving day, school B's began on it.
    assert Placement.objects.get(child=mover, unit=school_a).end_date == late - dt.timedelta(days=1)
    assert Placement.objects.get(child=mover, unit=school_b).start_date == late
    # Ahead: the pupil stays at school A (and in the class) until the moving day.
    today_place = Placement.objects.get(active_on(TODAY, fields=DATED), child=leaver, service=Service.SCHOOL)
    assert today_place.unit_id == school_a.pk and today_place.group_id is not None
    assert today_place.end_date == ahead - dt.timedelta(days=1)
    assert not Placement.objects.filter(active_on(ahead, fields=DATED), child=leaver, service=Service.SCHOOL).exists()


def test_a_move_dated_into_the_next_school_year_finds_the_pupil_a_grade_up(world: dict[str, Any]) -> None:
    """Two 7th-graders move to school B's krets: the one moving before the summer goes to B (a 1st–7th grade
    school), the one moving after it starts 8th grade, at the lower secondary school that covers B's krets."""
    state, school_a, school_b = world["state"], world["a"], world["b"]
    assert (school_b.last_grade or 10) == 7
    seventh = OrgUnit.objects.filter(parent=school_a, kind=OrgUnitKind.CLASS, grade=7, valid_to__isnull=True).first()
    assert seventh is not None
    Placement.objects.filter(child__national_id__in=[world["mover"], world["leaver"]]).update(group=seventh)
    before_summer, after_summer = dt.date(2027, 6, 10), dt.date(2027, 8, 20)
    events = EventGenerator(state=state, generator=world["generator"])
    for number, day in ((world["mover"], before_summer), (world["leaver"], after_summer)):
        events.move(number, new_skolekrets=True, flyttedato=day)
        _current_home(state.documents[number])["skolekrets"] = school_b.skolekrets
    _sync(world["client"])
    same_year = PupilMove.objects.get(pupil__national_id=world["mover"], source=MoveSource.REGISTER)
    next_year = PupilMove.objects.get(pupil__national_id=world["leaver"], source=MoveSource.REGISTER)
    assert (same_year.day, same_year.from_school_id, same_year.to_school_id) == (
        before_summer,
        school_a.pk,
        school_b.pk,
    )
    upper = next_year.to_school
    assert next_year.day == after_summer and upper is not None and upper.pk not in (school_a.pk, school_b.pk)
    assert (upper.first_grade or 1) <= 8 <= (upper.last_grade or 10)
