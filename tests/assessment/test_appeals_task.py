"""Arbeidsflate: grade appeals waiting for the school's processing are the principal's task, and the list it links to
shows the same appeals, each linking to the page where it is processed."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from assessment.models import Appeal, AppealStatus
from tests.assessment.conftest import Upper, login
from tests.assessment.test_appeal_processing import _appeal

pytestmark = pytest.mark.django_db

KEY = "assessment.appeals_waiting"


def _task(client: Client) -> dict[str, object] | None:
    response = client.get("/api/v1/workspace/tasks")
    assert response.status_code == 200
    return next((t for t in response.json() if t["key"] == KEY), None)


def _listed(client: Client, url: str) -> set[int]:
    return {int(m) for m in re.findall(r'data-appeal="(\d+)"', client.get(url).content.decode())}


def test_appeals_waiting_are_the_principals_task_and_the_list_agrees(upper: Upper) -> None:
    assert _task(upper.principal) is None  # nothing waiting yet
    appeal = _appeal(upper)
    waiting = set(
        Appeal.objects.filter(status=AppealStatus.REGISTERED, final_grade__school=upper.school).values_list(
            "pk", flat=True
        )
    )
    assert appeal.pk in waiting
    task = _task(upper.principal)
    assert task is not None and task["count"] == len(waiting)
    assert task["url"] == "/vurdering/klager/"
    assert _listed(upper.principal, "/vurdering/klager/") == waiting
    page = upper.principal.get("/vurdering/klager/").content.decode()
    assert f'href="/vurdering/klage/{appeal.pk}/"' in page  # where it is processed
    # Not the teacher's, the guardian's, or another school's principal's task.
    assert _task(upper.teacher_10) is None
    assert _task(login("rektor")) is None
    assert _listed(login("rektor"), "/vurdering/klager/") == set()
    # Once the school has assessed it, it no longer waits.
    upper.principal.post(
        f"/vurdering/klage/{appeal.pk}/", {"vurdering": "upheld", "begrunnelse": "Karakteren er godt begrunnet."}
    )
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.FORWARDED
    after = _task(upper.principal)
    assert (after["count"] if after else 0) == len(waiting) - 1
    assert appeal.pk not in _listed(upper.principal, "/vurdering/klager/")


def test_the_waiting_appeals_page_allowed_and_denied(upper: Upper) -> None:
    assert upper.principal.get("/vurdering/klager/").status_code == 200
    assert upper.teacher_10.get("/vurdering/klager/").status_code == 403
    assert upper.parent_10.get("/vurdering/klager/").status_code == 403
