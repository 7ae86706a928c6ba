"""Office 365 calendars through Microsoft Graph: the simulator speaks Graph, the outbox writes only differences.

Publishing creates one weekly series per teacher and lesson; a moved lesson updates exactly its event; re-running
sends nothing; a failure mid-run (500, 429 with Retry-After) is retried with nothing lost and nothing duplicated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, cast

import httpx
import pytest
from django.urls import reverse

from integrations.common.errors import PermanentError, TransientError
from integrations.models import GraphEvent, OutboxMessage, OutboxStatus
from integrations.msgraph.port import get_calendar_port
from integrations.msgraph.simulator import SIMULATOR_TENANT, GraphSimulator
from integrations.outbox.services import outbox_claim_due
from integrations.outbox.tasks import outbox_deliver_now
from oas import clock
from oas.people.models import Employee
from tests.timetable.conftest import TimetableDemo, login
from timetable import services
from timetable.models import CalendarEntry, Lesson
from timetable.office365 import calendar_sync_school
from timetable.selectors import lesson_clashes

pytestmark = pytest.mark.django_db

KINDS = ("msgraph.event.put", "msgraph.event.delete", "msgraph.occurrence")


@pytest.fixture
def graph_sim(settings: Any) -> Iterator[GraphSimulator]:
    with GraphSimulator() as server:
        sim = cast(GraphSimulator, server)
        settings.MSGRAPH_SIMULATOR_URL = sim.url
        settings.INTEGRATION_MODES = {**settings.INTEGRATION_MODES, "msgraph": "simulator"}
        yield sim


def _token(sim: GraphSimulator) -> str:
    response = httpx.post(
        f"{sim.url}/{SIMULATOR_TENANT}/oauth2/v2.0/token",
        data={
            "client_id": "oas-timeplan",
            "client_secret": "simulator-secret",
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        },
    )
    assert response.status_code == 200
    return str(response.json()["access_token"])


EVENT = {
    "subject": "Matematikk (8A)",
    "start": {"dateTime": "2026-11-16T08:30:00", "timeZone": "W. Europe Standard Time"},
    "end": {"dateTime": "2026-11-16T09:30:00", "timeZone": "W. Europe Standard Time"},
    "recurrence": {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
        "range": {"type": "endDate", "startDate": "2026-11-16", "endDate": "2027-06-18"},
    },
}


def test_the_simulator_speaks_graph_tokens_errors_and_transaction_ids(graph_sim: GraphSimulator) -> None:
    base = f"{graph_sim.url}/v1.0/users/kari@skole.no"
    unauthorised = httpx.post(f"{base}/calendar/events", json=EVENT)
    assert unauthorised.status_code == 401
    assert unauthorised.json()["error"]["code"] == "InvalidAuthenticationToken"
    bad_secret = httpx.post(
        f"{graph_sim.url}/{SIMULATOR_TENANT}/oauth2/v2.0/token",
        data={"client_id": "oas-timeplan", "client_secret": "feil", "scope": "x", "grant_type": "client_credentials"},
    )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    headers = {"Authorization": f"Bearer {_token(graph_sim)}"}
    first = httpx.post(f"{base}/calendar/events", json={**EVENT, "transactionId": "t-1"}, headers=headers)
    again = httpx.post(f"{base}/calendar/events", json={**EVENT, "transactionId": "t-1"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and first.json()["type"] == "seriesMaster"
    assert len(graph_sim.events("kari@skole.no")) == 1
    missing = httpx.patch(f"{base}/events/AAMkAGnope", json={"subject": "x"}, headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ErrorItemNotFound"
    event_id = first.json()["id"]
    window = {"startDateTime": "2026-11-23T00:00:00", "endDateTime": "2026-11-24T00:00:00"}
    occurrences = httpx.get(f"{base}/events/{event_id}/instances", params=window, headers=headers).json()["value"]
    assert [o["start"]["dateTime"] for o in occurrences] == ["2026-11-23T08:30:00"]
    assert httpx.delete(f"{base}/events/{occurrences[0]['id']}", headers=headers).status_code == 204
    assert httpx.get(f"{base}/events/{event_id}/instances", params=window, headers=headers).json()["value"] == []
    graph_sim.fail("429", retry_after="7")
    throttled = httpx.get(f"{base}/events/{event_id}", headers=headers)
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "7"


def test_the_client_fetches_a_token_maps_errors_and_refreshes_an_expired_token(graph_sim: GraphSimulator) -> None:
    port = get_calendar_port()
    ref = port.event_create(user="kari@skole.no", event=EVENT, transaction_id="k-1")
    assert port.event_create(user="kari@skole.no", event=EVENT, transaction_id="k-1").id == ref.id
    graph_sim.expire_tokens()  # 401: the client fetches a fresh token once and goes on
    assert port.event_update(user="kari@skole.no", event_id=ref.id, changes={"subject": "Norsk (8A)"}).id == ref.id
    assert graph_sim.event("kari@skole.no", ref.id)["subject"] == "Norsk (8A)"  # type: ignore[index]
    graph_sim.fail("429", retry_after="12")
    with pytest.raises(TransientError) as throttled:
        port.event_delete(user="kari@skole.no", event_id=ref.id)
    assert throttled.value.retry_after == 12
    graph_sim.fail("500")
    with pytest.raises(TransientError):
        port.event_delete(user="kari@skole.no", event_id=ref.id)
    with pytest.raises(PermanentError) as gone:
        port.event_update(user="kari@skole.no", event_id="AAMkAGnope", changes={})
    assert gone.value.status == 404
    assert port.event_delete(user="kari@skole.no", event_id=ref.id) is True
    assert port.event_delete(user="kari@skole.no", event_id=ref.id) is False  # already gone: done
    port.close()


def _deliver_all(*, rounds: int = 10) -> dict[str, int]:
    """Claim and deliver due rows like the worker does; make rescheduled (retried) rows due again between rounds."""
    outcomes: dict[str, int] = {}
    for _ in range(rounds):
        OutboxMessage.objects.filter(kind__in=KINDS, status=OutboxStatus.PENDING, attempts__gt=0).update(
            next_attempt_at=clock.now()
        )
        claims = outbox_claim_due(limit=1000)
        if not claims:
            break
        for claim in claims:
            outcome = outbox_deliver_now(message_id=claim.message_id, claim_token=claim.claim_token)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _rows() -> int:
    return OutboxMessage.objects.filter(kind__in=KINDS).count()


def _wanted(tt: TimetableDemo) -> set[tuple[int, int]]:
    return {
        (t.pk, lsn.pk)
        for lsn in Lesson.objects.filter(version=tt.version).prefetch_related("requirement__teachers")
        for t in lsn.requirement.teachers.all()
        if t.entra_object_id
    }


def test_publishing_writes_each_lesson_once_through_failures_and_rerunning_sends_nothing(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator
) -> None:
    # Publishing queued one event per teacher with a Microsoft account and lesson, in the publishing transaction.
    wanted = _wanted(tt_demo)
    assert len(wanted) > 0
    assert _rows() == len(wanted) == CalendarEntry.objects.filter(school=tt_demo.demo.school, active=True).count()
    # A worker died after Graph created one event and before our commit: the retry finds it by transactionId.
    entry = CalendarEntry.objects.filter(school=tt_demo.demo.school).order_by("pk").first()
    assert entry is not None
    port = get_calendar_port()
    created = port.event_create(user=entry.microsoft_user, event=entry.event, transaction_id=entry.key)
    port.close()
    # The simulator fails mid-run: a 500 and a 429 with Retry-After; both are retried.
    graph_sim.fail("500")
    graph_sim.fail("429", retry_after="3")
    outcomes = _deliver_all()
    assert outcomes.get("pending", 0) == 2
    assert OutboxMessage.objects.filter(kind__in=KINDS).exclude(status=OutboxStatus.DELIVERED).count() == 0
    assert GraphEvent.objects.get(key=entry.key).event_id == created.id
    events = graph_sim.events()
    assert len(events) == len(wanted) == graph_sim.creates  # nothing lost, nothing twice
    assert {e["categories"][0] for e in events} == {"OAS timeplan"}
    assert all(e["recurrence"]["range"]["endDate"] == tt_demo.version.valid_to.isoformat() for e in events)
    # Re-running sends nothing new.
    again = calendar_sync_school(school_id=tt_demo.demo.school.pk)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert _rows() == len(wanted)
    _deliver_all()
    assert graph_sim.creates == len(wanted)


def test_a_new_version_updates_exactly_the_moved_lesson_and_removes_an_unmapped_teachers_events(
    tt_demo: TimetableDemo, graph_sim: GraphSimulator
) -> None:
    _deliver_all()
    before = {e["id"]: e for e in graph_sim.events()}
    rows = _rows()
    teachers = list(
        Employee.objects.filter(timetable_requirements__version=tt_demo.version)
        .exclude(entra_object_id="")
        .distinct()
        .order_by("pk")
    )
    mover, leaver = teachers[0], teachers[-1]
    leaver_events = {e["id"] for e in graph_sim.events(leaver.entra_object_id)}
    assert leaver_events
    Employee.objects.filter(pk=leaver.pk).update(entra_object_id="")
    draft = services.version_copy(version_id=tt_demo.version.pk, name="Ny")
    lesson = (
        Lesson.objects.filter(version=draft, requirement__teachers=mover, length=1)
        .exclude(requirement__teachers=leaver)
        .order_by("pk")
        .first()
    )
    assert lesson is not None
    target = next(
        (day, pos)
        for day in range(draft.days_per_week)
        for pos in services.lesson_periods_positions(version=draft)
        if not lesson_clashes(lesson=lesson, day=day, position=pos) and (day, pos) != (lesson.day, lesson.position)
    )
    Lesson.objects.filter(pk=lesson.pk).update(day=target[0], position=target[1])
    services.version_publish(version_id=draft.pk)
    moved = lesson.requirement.teachers.exclude(entra_object_id="").count()
    new_rows = OutboxMessage.objects.filter(kind__in=KINDS).order_by("pk")[rows:]
    assert sorted(m.kind for m in new_rows) == sorted(
        ["msgraph.event.put"] * moved + ["msgraph.event.delete"] * len(leaver_events)
    )
    _deliver_all()
    after = {e["id"]: e for e in graph_sim.events()}
    assert set(after) == set(before) - leaver_events
    changed = [i for i in after if after[i] != before[i]]
    assert len(changed) == moved
    weekday = ("monday", "tuesday", "wednesday", "thursday", "friday")[target[0]]
    assert all(after[i]["recurrence"]["pattern"]["daysOfWeek"] == [weekday] for i in changed)
    body = login("rektor").get(reverse("timetable:version", args=[draft.pk])).content.decode()
    assert "uten Microsoft-konto" in body and leaver.person.last_name in body


def test_the_office365_note_is_shown_to_managers_only(tt_demo: TimetableDemo) -> None:
    url = reverse("timetable:version", args=[tt_demo.version.pk])
    Employee.objects.filter(pk__in=tt_demo.version.requirements.values("teachers")[:1]).update(entra_object_id="")
    assert "uten Microsoft-konto" in login("rektor").get(url).content.decode()
    teacher_view = login("laerer").get(url)
    assert teacher_view.status_code == 200 and "uten Microsoft-konto" not in teacher_view.content.decode()
    assert login("foresatt").get(url).status_code == 403


def test_run_simulators_starts_the_graph_simulator_on_its_port(settings: Any) -> None:
    from integrations.common.simulators import registered_simulators, start_simulators

    assert "msgraph" in [s.name for s in registered_simulators()]
    assert settings.SIMULATOR_PORTS["msgraph"] == 8206
    running = start_simulators(host="127.0.0.1", ports={}, only=["msgraph"])
    try:
        assert httpx.get(running["msgraph"].url + "/__sim__/health").json() == {"name": "msgraph", "ok": True}
        assert httpx.get(running["msgraph"].url + "/v1.0/users/x/events/y").status_code == 401
    finally:
        for server in running.values():
            server.stop()


def test_deliveries_out_of_order_never_resurrect_or_overwrite_a_newer_revision(graph_sim: GraphSimulator) -> None:
    from integrations.public import office365_event_delete, office365_event_put

    user = "kari@skole.no"
    office365_event_put(key="k1", user=user, revision=1, event=EVENT)
    office365_event_put(key="k1", user=user, revision=2, event={**EVENT, "subject": "Norsk (8A)"})
    office365_event_put(key="k1", user=user, revision=2, event={**EVENT, "subject": "Norsk (8A)"})  # same row
    first, _second = OutboxMessage.objects.filter(kind="msgraph.event.put").order_by("pk")
    assert OutboxMessage.objects.filter(kind="msgraph.event.put").count() == 2
    # Revision 2 is delivered first (revision 1 waits for a retry): revision 1 then changes nothing.
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=clock.now() + dt.timedelta(hours=1))
    _deliver_all(rounds=1)
    OutboxMessage.objects.filter(pk=first.pk).update(next_attempt_at=clock.now())
    _deliver_all()
    assert [e["subject"] for e in graph_sim.events(user)] == ["Norsk (8A)"]
    assert OutboxMessage.objects.get(pk=first.pk).result == {
        "skipped": "stale",
        "event_id": graph_sim.events(user)[0]["id"],
    }
    # A deletion delivered before the create of another event: the create never leaves an event behind.
    office365_event_put(key="k2", user=user, revision=1, event=EVENT)
    office365_event_delete(key="k2", user=user, revision=2)
    create = OutboxMessage.objects.get(idempotency_key="msgraph:k2:r1")
    OutboxMessage.objects.filter(pk=create.pk).update(next_attempt_at=clock.now() + dt.timedelta(hours=1))
    _deliver_all(rounds=1)
    OutboxMessage.objects.filter(pk=create.pk).update(next_attempt_at=clock.now())
    _deliver_all()
    assert [e["subject"] for e in graph_sim.events(user)] == ["Norsk (8A)"]
    assert GraphEvent.objects.get(key="k2").deleted
