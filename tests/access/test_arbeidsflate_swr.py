"""Reused arbeidsflate figures are refreshed stale-while-revalidate, one recompute at a time (a lock in Redis).

An entry past its window is recomputed by the request that gets the lock; requests arriving meanwhile get the
previous figures with their own computed_at (never older than the window plus RECOMPUTE_SECONDS). A user's own
action (``workspace_cache_forget``) drops the figures and the lock, so a recompute already under way does not
store figures from before the action. The page's query count does not grow with the units led or the tasks.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from oas import clock
from oas.access.services import roles_recompute_for_employees
from oas.arbeidsflate.registry import WorkspaceTask, registry
from oas.arbeidsflate.rendering import figures_html_clear
from oas.arbeidsflate.selectors import (
    RECOMPUTE_SECONDS,
    _tasks_cache_key,
    _unit_cache_key,
    workspace_cache_forget,
    workspace_figures,
)
from oas.people.models import Adressebeskyttelse, Service
from tests import factories as f

pytestmark = pytest.mark.django_db

WINDOW = 30
HOME = "arbeidsflate:home"
STALE = WorkspaceTask("test.stale", "Gammel oppgave", 7, "", "people", "warning")
UNIT_FIGURES = {"placed": 111, "starting": 2, "protected": 3, "staff": 44}


@pytest.fixture
def cached(world):
    with override_settings(ARBEIDSFLATE_CACHE_SECONDS=WINDOW):
        workspace_cache_forget(user=world.user("principal"))
        figures_html_clear()
        yield
        workspace_cache_forget(user=world.user("principal"))


def _keys(world) -> tuple[str, str]:
    """The principal's task key and Demo skole's unit key, as the page (in bokmål) computes them."""
    with translation.override("nb"):
        tasks_key = _tasks_cache_key(user=world.user("principal"))
    s1 = world.units["S1"]
    return tasks_key, _unit_cache_key(unit_id=s1.pk, unit_path=s1.path, today=clock.today())


def _plant(key: str, value: Any, *, age: int) -> dt.datetime:
    """Put figures computed ``age`` seconds ago in the cache, as a request would have stored them."""
    at = clock.now() - dt.timedelta(seconds=age)
    cache.set(key, (value, at, at + dt.timedelta(seconds=WINDOW)), WINDOW + RECOMPUTE_SECONDS)
    return at


def _computed_at(body: str) -> dt.datetime:
    match = re.search(r'data-computed-at="([^"]+)"', body)
    assert match, "the page must say when its figures were computed"
    return dt.datetime.fromisoformat(match.group(1))


def test_expired_figures_are_served_with_their_time_while_another_request_recomputes(
    client, world, cached, django_assert_max_num_queries
):
    tasks_key, unit_key = _keys(world)
    at = _plant(tasks_key, [STALE], age=WINDOW + 2)
    _plant(unit_key, UNIT_FIGURES, age=WINDOW + 2)
    cache.set(tasks_key + ":recompute", "another request", RECOMPUTE_SECONDS)
    cache.set(unit_key + ":recompute", "another request", RECOMPUTE_SECONDS)
    client.force_login(world.user("principal"))
    # The session, the user, the access epoch and the principal (or nothing more when it is reused; the user and
    # the epoch are plain ORM reads since the tap's hand-built loader went): no figure is computed.
    with django_assert_max_num_queries(4):
        body = client.get(reverse(HOME)).content.decode()
    assert "Gammel oppgave" in body
    assert '<dd data-metric="children_placed_today">111</dd>' in body
    assert _computed_at(body) == at  # the page says how old the figures it shows are
    api = client.get("/api/v1/workspace/tasks").json()
    assert [t["key"] for t in api] == ["test.stale"]
    assert dt.datetime.fromisoformat(api[0]["computed_at"]) == at
    snapshot = client.get("/api/v1/workspace/snapshot").json()
    assert snapshot[0]["children_placed_today"] == 111
    assert dt.datetime.fromisoformat(snapshot[0]["computed_at"]) == at


def test_expired_figures_are_recomputed_and_stored_by_the_request_that_gets_the_lock(client, world, cached):
    tasks_key, unit_key = _keys(world)
    at = _plant(tasks_key, [STALE], age=WINDOW + 2)
    _plant(unit_key, UNIT_FIGURES, age=WINDOW + 2)
    client.force_login(world.user("principal"))
    body = client.get(reverse(HOME)).content.decode()
    assert "Gammel oppgave" not in body
    assert 'data-task="people.protected_children"' in body
    assert '<dd data-metric="children_placed_today">111</dd>' not in body
    assert _computed_at(body) == clock.now() > at
    tasks, computed_at, fresh_until = cache.get(tasks_key)
    assert computed_at == clock.now() and "people.protected_children" in {t.key for t in tasks}
    # Fresh for the window minus up to 20 %, so entries computed in the same second do not all expire together.
    assert dt.timedelta(seconds=0.8 * WINDOW) <= fresh_until - computed_at <= dt.timedelta(seconds=WINDOW)
    assert cache.get(unit_key)[0]["placed"] != 111
    assert cache.get(tasks_key + ":recompute") is None and cache.get(unit_key + ":recompute") is None


def test_fresh_figures_are_reused_without_taking_the_lock(client, world, cached, django_assert_max_num_queries):
    tasks_key, unit_key = _keys(world)
    at = _plant(tasks_key, [STALE], age=WINDOW - 5)
    _plant(unit_key, UNIT_FIGURES, age=WINDOW - 5)
    client.force_login(world.user("principal"))
    with django_assert_max_num_queries(4):  # as above: nothing is computed
        body = client.get(reverse(HOME)).content.decode()
    assert "Gammel oppgave" in body and _computed_at(body) == at
    assert cache.get(tasks_key + ":recompute") is None


def test_figures_older_than_the_window_plus_one_recompute_are_never_served(client, world, cached):
    tasks_key, unit_key = _keys(world)
    _plant(tasks_key, [STALE], age=WINDOW + RECOMPUTE_SECONDS + 1)  # (Redis would have dropped it by now)
    _plant(unit_key, UNIT_FIGURES, age=WINDOW + RECOMPUTE_SECONDS + 1)
    cache.set(tasks_key + ":recompute", "a request that died", RECOMPUTE_SECONDS)
    cache.set(unit_key + ":recompute", "a request that died", RECOMPUTE_SECONDS)
    client.force_login(world.user("principal"))
    body = client.get(reverse(HOME)).content.decode()
    assert "Gammel oppgave" not in body and 'data-task="people.protected_children"' in body
    assert '<dd data-metric="children_placed_today">111</dd>' not in body
    assert _computed_at(body) == clock.now()
    assert cache.get(tasks_key)[0] == [STALE]  # computed for this request only: the lock is someone else's


def test_a_users_own_action_during_a_recompute_is_not_overwritten_by_older_figures(world, cached, monkeypatch):
    user = world.user("principal")
    tasks_key, _ = _keys(world)

    class ActsMeanwhile:
        """While the figures are computed, the user does something that forgets their cache."""

        key = "test.acts_meanwhile"
        module = "test"

        def tasks_for(self, *, user: Any) -> list[WorkspaceTask]:
            workspace_cache_forget(user=user)
            return []

    monkeypatch.setitem(registry._providers, ActsMeanwhile.key, ActsMeanwhile())
    with translation.override("nb"):
        figures = workspace_figures(user=user)
    assert "people.protected_children" in {t.key for t in figures.tasks}  # this request still gets its figures
    assert cache.get(tasks_key) is None  # but they are not kept: the next request computes after the action


def test_unit_figures_are_shared_by_the_units_leaders_but_tasks_are_per_user(world, cached):
    principal = world.user("principal")
    employee: Any = f.EmployeeFactory()
    f.EmploymentFactory(employee=employee, unit=world.units["S1"], position_code="REKTOR")
    roles_recompute_for_employees(employee_ids=[employee.pk])
    other = f.staff_account(employee).user
    with translation.override("nb"):
        first = workspace_figures(user=principal)
        tasks_key, unit_key = _keys(world)
        _plant(unit_key, UNIT_FIGURES, age=1)
        second = workspace_figures(user=other)
        other_key = _tasks_cache_key(user=other)
    assert first.snapshots[0].children_placed_today != 111
    assert second.snapshots[0].children_placed_today == 111  # the unit's counts, whoever leads it
    assert other_key != tasks_key and cache.get(other_key) is not None


def test_arbeidsflate_page_query_count_does_not_grow_with_units_led_or_tasks(
    client, world, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    principal = world.accounts["principal"]
    client.force_login(principal.user)
    client.get(reverse(HOME))  # warm the session
    # Two more schools, created before the baseline: a change to the units makes the principal load afresh
    # (oas.access.principal reuses it otherwise), as it will after the roles change below.
    schools = [f.school(parent=world.units["office"], name=name) for name in ("Skole tre", "Skole fire")]
    with CaptureQueriesContext(connection) as before:
        body = client.get(reverse(HOME)).content.decode()
    assert body.count('class="snapshot-unit"') == 1
    # The principal leads them too, and there is more of every task in each school.
    for school in schools:
        f.EmploymentFactory(employee=principal.employee, unit=school, position_code="REKTOR")
        for unit in (school, world.units["S1"]):
            for _ in range(3):
                child = f.ChildFactory(adressebeskyttelse=Adressebeskyttelse.FORTROLIG)
                f.PlacementFactory(child=child, unit=unit, service=Service.SCHOOL)  # no group: two tasks
            f.EmploymentFactory(unit=unit, position_code="LAERER")
    roles_recompute_for_employees(employee_ids=[principal.employee_id])
    with django_assert_max_num_queries(len(before)):
        body = client.get(reverse(HOME)).content.decode()
    assert body.count('class="snapshot-unit"') == 3
