"""The check-in tap through the project's WSGI application (``oas.wsgi``: Django's handler, all middleware, DRF).

Taps with the session (and the CSRF token, as for every API view); the tablet's tap token is in
``test_tap_token.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import oas.wsgi
from attendance.models import AttendanceEvent, MissingArrival
from oas import clock
from oas.access.models import RoleAssignment
from oas.audit.models import AuditEvent

from .conftest import Town

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/attendance/check"


class Tablet:
    """A browser with the staff member's session and the CSRF cookie, sending taps as JSON with the CSRF header."""

    def __init__(self, user: Any = None, *, remote_addr: str = "10.1.2.3"):
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=remote_addr)
        if user is not None:
            self.client.force_login(user)
        self.csrf = secrets.token_hex(16)
        self.client.cookies[settings.CSRF_COOKIE_NAME] = self.csrf

    def post(self, body: Any, *, csrf: str | None = "auto") -> Any:
        headers = {} if csrf is None else {"X-CSRFToken": self.csrf if csrf == "auto" else csrf}
        return self.client.post(CHECK, body, content_type="application/json", headers=headers)


def _body(town: Town, *, child: str = "small", unit: str = "D1", **extra: Any) -> dict[str, Any]:
    body = {"unit_id": town.units[unit].pk, "child_id": town.children[child].pk, "kind": "in", "key": "w-1"}
    body.update(extra)
    return body


def _tap(town: Town, *, user: str = "dept_staff", **body: Any) -> Any:
    return Tablet(town.users[user]).post(_body(town, **body))


def test_the_wsgi_application_is_djangos_own() -> None:
    assert isinstance(oas.wsgi.application, WSGIHandler)


def test_a_tap_writes_the_event_and_its_audit_row(town: Town) -> None:
    answer = _tap(town)
    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"] == "application/json"
    assert answer["X-Frame-Options"] == "DENY"  # the project's middleware ran
    body = answer.json()
    small = town.children["small"].pk
    assert body["child_id"] == small
    assert body["unit_id"] == town.units["K1"].pk  # stored against the kindergarten: one register for the unit
    assert body["kind"] == "in"
    assert body["duplicate"] is False
    event = AttendanceEvent.objects.get(key="w-1")
    assert event.user_id == town.users["dept_staff"].pk
    assert dt.datetime.fromisoformat(body["at"]) == event.at
    audit = AuditEvent.objects.get(event="attendance.check_in")
    assert audit.person_ids == [small]
    assert audit.object_id == str(event.pk)
    assert audit.user_id == town.users["dept_staff"].pk
    assert audit.action == "create"
    assert audit.ip == "10.1.2.3"
    assert audit.path == CHECK
    assert audit.method == "POST"
    assert len(audit.session_ref) == 16
    assert audit.actor_display  # the person's name (access middleware)
    assert "Blåbær" in audit.acting_role


def test_a_tap_takes_a_bounded_number_of_queries_and_does_not_write_the_session(
    town: Town, django_assert_max_num_queries: Any
) -> None:
    tablet = Tablet(town.users["dept_staff"])
    tablet.post(_body(town, key="warm", child="big"))  # the principal is loaded once and reused (epoch)
    with CaptureQueriesContext(connection) as queries, django_assert_max_num_queries(16):
        answer = tablet.post(_body(town))
    assert answer.status_code == 201
    assert not any("django_session" in q["sql"] and "UPDATE" in q["sql"] for q in queries.captured_queries)
    assert not any("INSERT" in q["sql"] and "django_session" in q["sql"] for q in queries.captured_queries)
    assert "sessionid" not in answer.cookies


def test_a_replayed_key_answers_200_with_the_first_tap_and_writes_nothing(town: Town) -> None:
    first = _tap(town).json()
    replay = _tap(town)
    assert replay.status_code == 200
    assert replay.json() == {**first, "duplicate": True}
    assert AttendanceEvent.objects.count() == 1
    assert AuditEvent.objects.filter(event="attendance.check_in").count() == 1


def test_a_replayed_key_returns_the_first_tap_after_a_later_one(town: Town) -> None:
    first = _tap(town, key="a").json()
    assert _tap(town, key="b", kind="out").status_code == 201
    replay = _tap(town, key="a")
    assert replay.status_code == 200
    assert (replay.json()["at"], replay.json()["kind"]) == (first["at"], "in")
    assert AuditEvent.objects.filter(event__startswith="attendance.check_").count() == 2


def test_a_double_tap_with_a_new_key_changes_nothing(town: Town) -> None:
    assert _tap(town, key="d-1").status_code == 201
    again = _tap(town, key="d-2")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    assert AttendanceEvent.objects.count() == 1


def test_an_arrival_resolves_the_missing_arrival_alert(town: Town) -> None:
    small = town.children["small"]
    MissingArrival.objects.create(child=small, unit=town.units["K1"], day=clock.today(), created_at=clock.now())
    assert _tap(town).status_code == 201
    assert MissingArrival.objects.get().resolved_at is not None


def test_check_out_leaves_the_missing_arrival_alert_alone(town: Town) -> None:
    small = town.children["small"]
    assert _tap(town, key="in-1").status_code == 201
    MissingArrival.objects.create(child=small, unit=town.units["K1"], day=clock.today(), created_at=clock.now())
    assert _tap(town, key="out-1", kind="out").status_code == 201
    assert MissingArrival.objects.get().resolved_at is None


def test_without_a_session_the_tap_is_refused_with_401(town: Town) -> None:
    answer = Tablet().post(_body(town, key="anon"))
    assert answer.status_code == 401
    assert answer.json()["code"] == "not_authenticated"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert not AttendanceEvent.objects.exists()


@pytest.mark.parametrize("csrf", [None, "x" * 32], ids=["missing", "wrong"])
def test_a_session_tap_without_the_csrf_token_is_refused_with_403(town: Town, csrf: str | None) -> None:
    answer = Tablet(town.users["dept_staff"]).post(_body(town), csrf=csrf)
    assert answer.status_code == 403
    error = answer.json()
    assert "CSRF" in error["message"]
    assert error["fields"] == {}
    assert not AttendanceEvent.objects.exists()


def test_staff_of_another_unit_get_404_and_an_audit_row(town: Town) -> None:
    answer = _tap(town, user="other_unit_staff")
    assert answer.status_code == 404
    assert answer.json() == {"message": "Ikke funnet.", "code": "not_found", "fields": {}}
    assert not AttendanceEvent.objects.exists()
    denied = AuditEvent.objects.get(event="attendance.checkin.denied")
    assert denied.object_id == str(town.units["D1"].pk)
    assert denied.user_id == town.users["other_unit_staff"].pk


def test_staff_of_another_unit_replaying_someone_elses_key_get_404(town: Town) -> None:
    assert _tap(town, key="theirs").status_code == 201
    answer = _tap(town, user="other_unit_staff", key="theirs")
    assert answer.status_code == 404
    assert AuditEvent.objects.filter(event="attendance.checkin.denied").exists()
    assert AttendanceEvent.objects.count() == 1


def test_a_guardian_is_refused_by_the_declared_action_with_403(town: Town) -> None:
    answer = _tap(town, user="guardian")
    assert answer.status_code == 403
    assert answer.json()["code"] == "permission_denied"
    assert AuditEvent.objects.filter(event="access.api_denied").exists()
    assert not AttendanceEvent.objects.exists()


def test_a_child_not_placed_in_the_unit_is_refused_naming_child_id(town: Town) -> None:
    answer = _tap(town, child="other")
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == "not_placed"
    assert list(error["fields"]) == ["child_id"]
    assert AuditEvent.objects.filter(event="attendance.checkin.not_placed").exists()
    assert not AttendanceEvent.objects.exists()


def test_bad_json_is_refused_with_400(town: Town) -> None:
    tablet = Tablet(town.users["dept_staff"])
    answer = tablet.post("{not json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "parse_error"
    assert tablet.post([1, 2]).status_code == 400
    assert not AttendanceEvent.objects.exists()


def test_missing_and_invalid_fields_are_named(town: Town) -> None:
    tablet = Tablet(town.users["dept_staff"])
    answer = tablet.post({"unit_id": "abc", "kind": "sideways", "key": ""})
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"unit_id", "child_id", "kind", "key"}
    assert error["message"] == error["fields"]["unit_id"][0]
    too_big = tablet.post(_body(town, child_id=2**63))
    assert too_big.status_code == 400
    assert set(too_big.json()["fields"]) == {"child_id"}
    assert tablet.post(_body(town, key="k" * 65)).json()["fields"].keys() == {"key"}
    assert tablet.post(_body(town, unit_id=True)).json()["fields"].keys() == {"unit_id"}
    assert tablet.post(_body(town, kind=["in"])).json()["fields"].keys() == {"kind"}
    assert not AttendanceEvent.objects.exists()


def test_get_is_not_allowed(town: Town) -> None:
    client = Client()
    client.force_login(town.users["dept_staff"])
    assert client.get(CHECK).status_code == 405


def test_a_removed_role_takes_effect_on_the_next_tap(town: Town) -> None:
    # The principal is reused between requests while the access epoch stands still; a bulk change moves it.
    assert _tap(town, key="r-1").status_code == 201
    employee = town.users["dept_staff"].account.employee
    RoleAssignment.objects.filter(employee=employee).update(valid_to=clock.today() - dt.timedelta(days=1))
    answer = _tap(town, key="r-2", kind="out")
    assert answer.status_code == 403  # no check-in right anywhere any more
    assert AttendanceEvent.objects.count() == 1


def test_a_key_of_another_childs_tap_is_refused_without_telling_about_it(town: Town) -> None:
    assert _tap(town, child="big", key="shared").status_code == 201
    answer = _tap(town, child="small", key="shared")
    assert answer.status_code == 400
    error = answer.json()
    assert error["code"] == "key_conflict"
    assert list(error["fields"]) == ["key"]
    assert str(town.children["big"].pk) not in answer.content.decode()
    assert AttendanceEvent.objects.count() == 1


def test_a_csrf_refusal_outside_the_api_keeps_djangos_page(town: Town) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(town.users["dept_staff"])
    answer = client.post("/i18n/setlang/", {"language": "nn"})
    assert answer.status_code == 403
    assert answer["Content-Type"].startswith("text/html")
