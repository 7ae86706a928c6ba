"""The leader's snapshot: "unanswered messages older than two days" (issue 15), count and list agree.

Counted: threads to the unit (that the leader may read) whose latest message is a guardian's, older than 48 hours,
with no staff reply since. Not counted: newer ones, answered ones, other units' and threads the leader may not read.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from messaging.models import Thread
from messaging.services.threads import message_reply, thread_start
from oas import clock
from oas.arbeidsflate.registry import registry
from tests.messaging.conftest import World, login

pytestmark = pytest.mark.django_db

KEY = "messaging.unanswered_two_days"


def _start(world: World, *, guardian: str, child: str, unit: str, subject: str, hours_ago: float) -> Thread:
    with clock.freeze(clock.now() - dt.timedelta(hours=hours_ago)):
        return thread_start(
            user=world.user(guardian),
            child_id=world.children[child].pk,
            unit_id=world.units[unit].pk,
            subject=subject,
            body="Kan dere svare?",
        )


def _reply(world: World, thread: Thread, *, persona: str, hours_ago: float) -> None:
    with clock.freeze(clock.now() - dt.timedelta(hours=hours_ago)):
        message_reply(user=world.user(persona), thread_id=thread.pk, body="Svar")


def _task(world: World, persona: str, unit: str) -> object:
    tasks = [t for t in registry.tasks_for(user=world.user(persona)) if t.key == KEY]
    return next(t for t in tasks if t.unit_id == world.units[unit].pk)


def _listed(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-thread="(\d+)"', response.content.decode())}


@pytest.fixture
def threads(world: World) -> dict[str, Thread]:
    out = {
        "old": _start(world, guardian="guardian", child="kid_school", unit="S1", subject="Gammel", hours_ago=72),
        "new": _start(world, guardian="guardian", child="kid_school", unit="S1", subject="Ny", hours_ago=24),
        "answered": _start(world, guardian="guardian", child="kid_school", unit="S1", subject="Besvart", hours_ago=80),
        "asked_again": _start(world, guardian="guardian", child="kid_school", unit="S1", subject="Igjen", hours_ago=90),
        "just_over": _start(world, guardian="guardian", child="kid_school", unit="S1", subject="Grense", hours_ago=49),
        "kindergarten": _start(world, guardian="guardian", child="kid_bhg", unit="K1", subject="Bhg", hours_ago=72),
    }
    _reply(world, out["answered"], persona="principal", hours_ago=60)
    _reply(world, out["asked_again"], persona="principal", hours_ago=85)
    with clock.freeze(clock.now() - dt.timedelta(hours=50)):
        message_reply(user=world.user("guardian"), thread_id=out["asked_again"].pk, body="Hallo igjen?")
    # A reply from the guardian to a thread staff answered recently does not make it old.
    return out


def test_the_count_is_threads_whose_latest_guardian_message_is_older_than_two_days(
    world: World, threads: dict[str, Thread]
) -> None:
    task = _task(world, "principal", "S1")
    assert task.count == 3  # type: ignore[attr-defined]  # old, asked again after an answer, and just over 48 h
    assert task.severity == "warning"  # type: ignore[attr-defined]
    assert _task(world, "kindergarten_leader", "K1").count == 1  # type: ignore[attr-defined]


def test_the_link_lists_exactly_the_threads_counted(world: World, threads: dict[str, Thread]) -> None:
    task = _task(world, "principal", "S1")
    listed = _listed(login(Client(), world, "principal"), task.url)  # type: ignore[attr-defined]
    assert listed == {threads["old"].pk, threads["asked_again"].pk, threads["just_over"].pk}
    assert len(listed) == task.count  # type: ignore[attr-defined]


def test_the_snapshot_shows_the_figure_with_its_link(world: World, threads: dict[str, Thread]) -> None:
    html = login(Client(), world, "principal").get("/arbeidsflate/").content.decode()
    snap = html.split('class="snapshot"', 1)[1].split("</section>", 1)[0]
    unit = world.units["S1"].pk
    assert f'href="/meldinger/?vis=ubesvart&amp;enhet={unit}">Ubesvarte meldinger eldre enn to dager' in snap
    assert f'data-snapshot-task="{KEY}">3<' in snap


def test_an_answer_takes_the_thread_off_the_count(world: World, threads: dict[str, Thread]) -> None:
    message_reply(user=world.user("principal"), thread_id=threads["old"].pk, body="Nå svarer vi")
    assert _task(world, "principal", "S1").count == 2  # type: ignore[attr-defined]


def test_with_nothing_waiting_the_figure_is_zero(world: World) -> None:
    task = _task(world, "principal", "S1")
    assert (task.count, task.severity) == (0, "info")  # type: ignore[attr-defined]


def test_staff_of_another_unit_see_none_of_them(world: World, threads: dict[str, Thread]) -> None:
    url = f"/meldinger/?vis=ubesvart&enhet={world.units['S1'].pk}"
    assert _listed(login(Client(), world, "other_teacher"), url) == set()
    assert not [t for t in registry.tasks_for(user=world.user("other_teacher")) if t.key == KEY]


def test_a_guardian_may_not_open_the_staff_list(world: World, threads: dict[str, Thread]) -> None:
    response = login(Client(), world, "guardian").get(f"/meldinger/?vis=ubesvart&enhet={world.units['S1'].pk}")
    assert response.status_code == 403
