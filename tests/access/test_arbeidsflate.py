"""The arbeidsflate: role-aware tasks, the leader snapshot, bounded queries."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from oas.access.evaluation import access_queryset
from oas.access.principal import principal_reuse_clear
from oas.arbeidsflate.registry import WorkspaceTask, registry
from oas.arbeidsflate.selectors import leader_snapshots, workspace_tasks
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.people.models import Person, Service
from tests import factories as f

KERNEL_MODULES = {"people", "access", "audit", "reports"}


def _keys(world, persona: str) -> dict[str, int]:
    # Only the kernel's providers: other apps register their own in the same registry.
    return {t.key: t.count for t in workspace_tasks(user=world.user(persona)) if t.module in KERNEL_MODULES}


def test_each_role_sees_its_own_arbeidsflate(world):
    audit_record(action=AuditAction.DENIED, event="child.read.denied")
    f.PlacementFactory(
        child=f.ChildFactory(birth_date=dt.date(2023, 1, 1)),
        unit=world.units["K1"],
        service=Service.KINDERGARTEN,
        start_date=dt.date(2026, 11, 25),
    )
    personas = [
        "sysadmin",
        "sector_admin",
        "finance",
        "advisor",
        "report_viewer",
        "kindergarten_leader",
        "principal",
        "contact_teacher",
        "teacher",
        "other_teacher",
    ]
    seen = {persona: _keys(world, persona) for persona in personas}
    assert seen == {
        "sysadmin": {
            "audit.denied_attempts": 1,
            "access.expiring_grants": 1,
            "people.protected_children": 2,  # strengt fortrolig at Demo skole, fortrolig at Annen skole
            "access.units_without_leader": 3,  # Demo SFO, Annen skole, Annen barnehage
            "people.lives_with_unconfirmed": 1,  # the strengt fortrolig child: the office confirms its home
        },
        "sector_admin": {
            "people.children_starting": 1,
            "people.school_starters": 1,
            "people.lives_with_unconfirmed": 1,
        },
        "finance": {"people.children_without_guardian": 3},
        "advisor": {"people.school_starters": 1, "reports.kindergarten_count": 2, "access.units_without_leader": 3},
        "report_viewer": {"reports.kindergarten_count": 2},
        "kindergarten_leader": {"people.children_without_group": 1},
        "principal": {"people.protected_children": 1, "people.children_without_group": 1},
        "contact_teacher": {"people.my_groups": 2},
        "teacher": {"people.unit_children": 2},
        "other_teacher": {"people.unit_children": 1},
    }


def test_finance_sees_children_with_delt_bosted(world):
    from oas.people.models import DeltBosted

    DeltBosted.objects.create(child=world.children["kid_school"], valid_from=dt.date(2024, 1, 1), street_address="X 1")
    assert _keys(world, "finance")["people.delt_bosted"] == 1


def test_a_count_task_links_to_a_list_of_exactly_the_children_it_counts(client, world):
    finance = world.user("finance")
    (task,) = [t for t in workspace_tasks(user=finance) if t.key == "people.children_without_guardian"]
    assert task.url == reverse("arbeidsflate:children") + "?oppgave=people.children_without_guardian"
    declared = registry.count_task(task.key)
    assert declared is not None
    counted = declared.rows_for(user=finance)
    assert counted is not None
    client.force_login(finance)
    response = client.get(task.url)
    assert response.status_code == 200
    listed = {p.pk for p in response.context["page"].object_list}
    assert len(listed) == task.count == 2  # the placed children of the world with no guardian relation
    assert listed == set(counted.values_list("pk", flat=True))
    # Every child the finance office may read is more than that: the list is the task's, not the whole list.
    assert client.get(reverse("arbeidsflate:children")).context["page"].paginator.count > task.count


def test_a_count_task_list_is_empty_for_whom_the_task_is_not(client, world):
    client.force_login(world.user("teacher"))  # reads children, but the task is the finance office's
    url = reverse("arbeidsflate:children") + "?oppgave=people.children_without_guardian"
    response = client.get(url)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
    assert "Ingen barn å vise." in response.content.decode()
    # An unknown task, or one that does not count children, lists nothing either.
    for key in ("no.such.task", "access.expiring_grants"):
        assert list(client.get(reverse("arbeidsflate:children") + f"?oppgave={key}").context["page"].object_list) == []


def test_leader_snapshot_counts_the_units_children_staff_and_protected_children(world):
    (snapshot,) = leader_snapshots(user=world.user("principal"))
    assert snapshot.unit_name == "Demo skole"
    assert snapshot.children_placed_today == 2  # kid_school (school + SFO counted once) and kid_protected
    assert snapshot.protected_address_children == 1
    assert snapshot.staff_employed_today == 4  # principal, teacher, contact teacher, special-ed teacher
    assert leader_snapshots(user=world.user("teacher")) == []


def test_arbeidsflate_page_shows_tasks_with_deep_links_for_the_leader(client, world):
    client.force_login(world.user("principal"))
    body = client.get(reverse("arbeidsflate:home")).content.decode()
    assert "Barn med beskyttet adresse" in body
    assert reverse("arbeidsflate:children") + "?protected=1" in body
    # Roles are shown by their Norwegian name, never by their code.
    assert "Leder (rektor/styrer)" in body
    assert ">unit_leader" not in body


def test_teacher_sees_no_snapshot_panel(client, world):
    client.force_login(world.user("teacher"))
    body = client.get(reverse("arbeidsflate:home")).content.decode()
    assert "Øyeblikksbilde" not in body


def test_failing_provider_does_not_take_the_arbeidsflate_down(client, world, caplog):
    class Broken:
        key = "test.broken"
        module = "test"

        def tasks_for(self, *, user) -> list[WorkspaceTask]:
            Person.objects.raw("SELECT * FROM no_such_table")[0]  # a failing query
            return []

    registry.register_task_provider(Broken())
    try:
        client.force_login(world.user("principal"))
        assert client.get(reverse("arbeidsflate:home")).status_code == 200
    finally:
        registry._providers.pop("test.broken")


def test_arbeidsflate_page_query_count_does_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.user("principal"))
    client.get(reverse("arbeidsflate:home"))  # warm the session
    principal_reuse_clear()  # count the principal's load in both measurements (reused until the epoch moves)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("arbeidsflate:home"))
    for _ in range(20):
        f.PlacementFactory(child=f.ChildFactory(), unit=world.units["S1"], service=Service.SCHOOL)
        f.EmploymentFactory(unit=world.units["S1"], position_code="LAERER")
    # Other apps' providers add their own queries; the page must stay bounded whatever the data.
    principal_reuse_clear()
    # Growth with the data would add at least 20 statements (one per new row); the margin of 2 covers a short-lived
    # cache that can expire between the two measurements on a loaded machine (seen once: 87 after 86).
    with django_assert_max_num_queries(len(before) + 2):
        assert client.get(reverse("arbeidsflate:home")).status_code == 200
    # The cap counts the statements the page sends in production. Inside the test's transaction every task provider
    # also runs in a savepoint (two statements each, none outside a transaction), and one is added per provider.
    sent = [q for q in before.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(sent) < 60, len(sent)


def test_children_list_query_count_does_not_grow_with_the_children(client, world, django_assert_max_num_queries):
    for _ in range(30):
        f.PlacementFactory(child=f.ChildFactory(), unit=world.units["S1"], service=Service.SCHOOL)
    client.force_login(world.user("principal"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("arbeidsflate:children"))
    assert response.status_code == 200


def test_list_filter_is_one_sql_query(world, django_assert_num_queries):
    user = world.user("principal")
    user._oas_principal_cache = True
    access_queryset(user=user, action="child.read", queryset=Person.objects.all()).count()  # loads the principal
    with django_assert_num_queries(1):
        ids = set(
            access_queryset(user=user, action="child.read", queryset=Person.objects.all()).values_list("pk", flat=True)
        )
    children = world.children
    assert {children["kid_school"].pk, children["kid_protected"].pk} <= ids
    assert children["kid_bhg"].pk not in ids and children["kid_other"].pk not in ids


def test_workspace_tasks_api_matches_the_page(client, world):
    client.force_login(world.user("principal"))
    data = client.get("/api/v1/workspace/tasks").json()
    assert {t["key"] for t in data if t["module"] in KERNEL_MODULES} == {
        "people.protected_children",
        "people.children_without_group",
    }
    snapshot = client.get("/api/v1/workspace/snapshot").json()
    assert snapshot[0]["protected_address_children"] == 1
