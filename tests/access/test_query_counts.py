"""Hot pages and the workspace API: the number of SQL queries stays the same however much data there is."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from oas.access.principal import principal_reuse_clear
from oas.people.models import Foreldreansvar, RelationKind, Service
from tests import factories as f


def _queries(client, url: str) -> int:
    principal_reuse_clear()  # count the principal's load too (it is reused until the access epoch moves)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _future_placements(child, unit, service, n: int) -> None:
    # One after another (a child has one placement per service at a time).
    for i in range(n):
        start = dt.date(2027, 1, 1) + dt.timedelta(days=40 * i)
        f.PlacementFactory(
            child=child, unit=unit, service=service, start_date=start, end_date=start + dt.timedelta(days=30)
        )


def _more_children_in_s1(world, n: int) -> None:
    for _ in range(n):
        child = f.ChildFactory()
        f.PlacementFactory(child=child, unit=world.units["S1"], group=world.units["1A"], service=Service.SCHOOL)
        f.PlacementFactory(child=child, unit=world.units["SFO1"], service=Service.SFO)


def test_children_list_query_count_is_the_same_with_ten_times_the_children(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.user("principal"))
    url = reverse("arbeidsflate:children")
    _queries(client, url)  # warm the session
    before = _queries(client, url)
    _more_children_in_s1(world, 25)
    with django_assert_max_num_queries(before):
        body = client.get(url).content.decode()
    assert body.count(reverse("arbeidsflate:child", args=[0]).rsplit("0/", 1)[0]) >= 25


def test_staff_child_page_query_count_does_not_grow_with_the_childs_placements(
    client, world, django_assert_max_num_queries
):
    child = world.children["kid_school"]
    client.force_login(world.user("principal"))
    url = reverse("arbeidsflate:child", args=[child.pk])
    _queries(client, url)
    before = _queries(client, url)
    _future_placements(child, world.units["K1"], Service.KINDERGARTEN, 10)
    with django_assert_max_num_queries(before):
        assert client.get(url).status_code == 200


def test_portal_home_query_count_does_not_grow_with_the_guardians_children(
    client, world, frozen_today, django_assert_max_num_queries
):
    guardian = world.accounts["guardian"].person
    client.force_login(world.user("guardian"))
    url = reverse("portal:home")
    _queries(client, url)
    before = _queries(client, url)
    soon = frozen_today + dt.timedelta(days=10)  # also an attention item ("starter i …") per child
    for _ in range(8):
        child = f.ChildFactory()
        f.RelationFactory(adult=guardian, child=child, kind=RelationKind.GUARDIAN, foreldreansvar=Foreldreansvar.FELLES)
        f.PlacementFactory(
            child=child, unit=world.units["K1"], service=Service.KINDERGARTEN, start_date=dt.date(2024, 8, 1)
        )
        f.PlacementFactory(child=child, unit=world.units["SFO1"], service=Service.SFO, start_date=soon)
    with django_assert_max_num_queries(before):
        body = client.get(url).content.decode()
    assert body.count("Demo barnehage") >= 9
    assert body.count("Demo SFO") >= 8


def test_portal_child_page_query_count_does_not_grow_with_the_childs_placements(
    client, world, django_assert_max_num_queries
):
    child = world.children["kid_bhg"]
    client.force_login(world.user("guardian"))
    url = reverse("portal:child", args=[child.pk])
    _queries(client, url)
    before = _queries(client, url)
    _future_placements(child, world.units["SFO1"], Service.SFO, 10)
    with django_assert_max_num_queries(before):
        assert client.get(url).status_code == 200


def test_workspace_api_query_counts_do_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    client.force_login(world.user("principal"))
    urls = [reverse("workspace-tasks"), reverse("workspace-snapshot")]
    for url in urls:
        _queries(client, url)
    before = {url: _queries(client, url) for url in urls}
    _more_children_in_s1(world, 20)
    for _ in range(10):
        f.EmploymentFactory(unit=world.units["S1"], position_code="LAERER")
    for url in urls:
        principal_reuse_clear()  # as in ``before``
        with django_assert_max_num_queries(before[url]):
            assert client.get(url).status_code == 200
    snapshot = client.get(urls[1]).json()
    assert any(s["children_placed_today"] >= 20 for s in snapshot)


def test_staff_child_page_query_count_does_not_grow_with_the_childs_adults(
    client, world, django_assert_max_num_queries
):
    child = world.children["kid_school"]
    client.force_login(world.user("principal"))
    url = reverse("arbeidsflate:child", args=[child.pk])
    _queries(client, url)
    before = _queries(client, url)
    adults: list[Any] = [f.PersonFactory() for _ in range(6)]
    for adult in adults:
        f.RelationFactory(adult=adult, child=child, kind=RelationKind.PARENT, foreldreansvar="")
    with django_assert_max_num_queries(before):
        body = client.get(url).content.decode()
    assert all(escape(adult.full_name) in body for adult in adults)
