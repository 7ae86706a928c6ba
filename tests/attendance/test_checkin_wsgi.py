"""The check-in tap through the real WSGI application (``oas.wsgi.application``), as the web server (granian) serves it.

``django.test.Client`` does not go through ``oas/wsgi.py``: these tests call the WSGI callable with environ
dicts, so the dispatcher, the lean handler, its middleware (session, CSRF, authentication, audit context,
deny-by-default access) and the plain view are what answers.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.urls import resolve

import oas.wsgi
from attendance import api
from attendance.models import AttendanceEvent, MissingArrival
from oas import clock
from oas.access.models import RoleAssignment
from oas.audit.models import AuditEvent
from oas.lean import LEAN_ROUTES, LEAN_SKIPPED_MIDDLEWARE, LEAN_URLCONF, Dispatcher, LeanHandler, lean_middleware

from .conftest import Town

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/attendance/check"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@contextmanager
def _keep_test_connection() -> Iterator[None]:
    # As django.test.Client does: the request signals would close the test's connection (and its transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _session(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _call(
    *,
    method: str = "POST",
    body: bytes | dict[str, Any] = b"",
    user: Any = None,
    csrf: str | None = "auto",
    path: str = CHECK,
    bearer: str | None = None,
    host: str = "testserver",
    remote_addr: str = "10.1.2.3",
) -> Answer:
    """Call the WSGI application; with ``bearer`` (a tap token) the request carries no cookies and no CSRF token."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    token = secrets.token_hex(16)
    cookies = [f"csrftoken={token}"] if bearer is None else []
    if user is not None:
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={_session(user)}")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": remote_addr,
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "HTTP_COOKIE": "; ".join(cookies),
        "wsgi.input": io.BytesIO(data),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if bearer is not None:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {bearer}"
    elif csrf == "auto":
        environ["HTTP_X_CSRFTOKEN"] = token
    elif csrf is not None:
        environ["HTTP_X_CSRFTOKEN"] = csrf
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer["status"] = int(status.split(" ", 1)[0])
        answer["headers"] = dict(headers)

    with _keep_test_connection():
        result = oas.wsgi.application(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    return Answer(answer["status"], answer["headers"], content)


def _tap(town: Town, *, user: str = "dept_staff", child: str = "small", unit: str = "D1", **extra: Any) -> Answer:
    body = {"unit_id": town.units[unit].pk, "child_id": town.children[child].pk, "kind": "in", "key": "w-1"}
    body.update(extra)
    return _call(body=body, user=town.users[user])


def test_a_tap_is_served_by_the_lean_handler_and_writes_the_event_and_its_audit_row(town: Town) -> None:
    application = oas.wsgi.application
    assert isinstance(application, Dispatcher)
    lean_handler: Any = application.lean
    full_handler: Any = application.full
    assert isinstance(lean_handler, LeanHandler)
    with (
        mock.patch.object(lean_handler, "get_response", wraps=lean_handler.get_response) as lean,
        mock.patch.object(full_handler, "get_response", wraps=full_handler.get_response) as full,
    ):
        answer = _tap(town)
    assert answer.status == 201, answer.body
    assert lean.call_count == 1
    assert full.call_count == 0
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["X-Frame-Options"] == "DENY"  # the project's middleware ran
    body = answer.json()
    small = town.children["small"].pk
    assert body["child_id"] == small
    assert body["unit_id"] == town.units["K1"].pk
    assert body["kind"] == "in"
    assert body["duplicate"] is False
    event = AttendanceEvent.objects.get(key="w-1")
    assert event.user_id == town.users["dept_staff"].pk
    assert body["at"] == api._timestamp(event.at)
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


def test_a_replayed_key_answers_200_with_the_first_tap_and_writes_nothing(town: Town) -> None:
    first = _tap(town).json()
    replay = _tap(town)
    assert replay.status == 200
    assert replay.json() == {**first, "duplicate": True}
    assert AttendanceEvent.objects.count() == 1
    assert AuditEvent.objects.filter(event="attendance.check_in").count() == 1


def test_a_double_tap_with_a_new_key_changes_nothing(town: Town) -> None:
    assert _tap(town, key="d-1").status == 201
    again = _tap(town, key="d-2")
    assert again.status == 200
    assert again.json()["duplicate"] is True
    assert AttendanceEvent.objects.count() == 1


def test_an_arrival_resolves_the_missing_arrival_alert(town: Town) -> None:
    small = town.children["small"]
    MissingArrival.objects.create(child=small, unit=town.units["K1"], day=clock.today(), created_at=clock.now())
    assert _tap(town).status == 201
    assert MissingArrival.objects.get().resolved_at is not None


def test_without_a_session_the_tap_is_refused_with_401(town: Town) -> None:
    body = {"unit_id": town.units["D1"].pk, "child_id": town.children["small"].pk, "kind": "in", "key": "anon"}
    answer = _call(body=body)
    assert answer.status == 401
    assert answer.json() == {"message": "Ikke innlogget.", "code": "not_authenticated", "fields": {}}
    assert not AttendanceEvent.objects.exists()


@pytest.mark.parametrize("csrf", [None, "x" * 32], ids=["missing", "wrong"])
def test_a_tap_without_the_csrf_token_is_refused_with_403_in_the_api_shape(town: Town, csrf: str | None) -> None:
    body = {"unit_id": town.units["D1"].pk, "child_id": town.children["small"].pk, "kind": "in", "key": "c"}
    answer = _call(body=body, user=town.users["dept_staff"], csrf=csrf)
    assert answer.status == 403
    error = answer.json()
    assert error["code"] == "csrf_failed"
    assert error["fields"] == {}
    assert "CSRF" in error["message"]
    assert not AttendanceEvent.objects.exists()


def test_staff_of_another_unit_get_404_and_an_audit_row(town: Town) -> None:
    answer = _tap(town, user="other_unit_staff")
    assert answer.status == 404
    assert answer.json() == {"message": "Ikke funnet.", "code": "not_found", "fields": {}}
    assert not AttendanceEvent.objects.exists()
    denied = AuditEvent.objects.get(event="attendance.checkin.denied")
    assert denied.object_id == str(town.units["D1"].pk)
    assert denied.user_id == town.users["other_unit_staff"].pk


def test_a_guardian_is_refused_by_the_action_gate_with_403(town: Town) -> None:
    answer = _tap(town, user="guardian")
    assert answer.status == 403
    assert answer.json()["code"] == "permission_denied"
    assert AuditEvent.objects.filter(event="access.view_denied").exists()
    assert not AttendanceEvent.objects.exists()


def test_a_child_not_placed_in_the_unit_is_refused_naming_child_id(town: Town) -> None:
    answer = _tap(town, child="other")
    assert answer.status == 400
    error = answer.json()
    assert error["code"] == "not_placed"
    assert list(error["fields"]) == ["child_id"]
    assert AuditEvent.objects.filter(event="attendance.checkin.not_placed").exists()
    assert not AttendanceEvent.objects.exists()


def test_bad_json_is_refused_with_400() -> None:
    answer = _call(body=b"{not json")
    # No session: the action gate answers first, before the body is read.
    assert answer.status == 401


def test_bad_json_from_a_logged_in_user_is_refused_with_400(town: Town) -> None:
    answer = _call(body=b"{not json", user=town.users["dept_staff"])
    assert answer.status == 400
    assert answer.json()["code"] == "parse_error"
    assert _call(body=b"[1, 2]", user=town.users["dept_staff"]).json()["code"] == "parse_error"
    assert not AttendanceEvent.objects.exists()


def test_missing_and_invalid_fields_are_named(town: Town) -> None:
    answer = _call(body={"unit_id": "abc", "kind": "sideways", "key": ""}, user=town.users["dept_staff"])
    assert answer.status == 400
    error = answer.json()
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"unit_id", "child_id", "kind", "key"}
    assert error["message"] == error["fields"]["unit_id"][0]
    too_big = _tap(town, child_id=2**63)
    assert too_big.status == 400
    assert set(too_big.json()["fields"]) == {"child_id"}
    assert _tap(town, key="k" * 65).json()["fields"].keys() == {"key"}
    assert _tap(town, unit_id=True).json()["fields"].keys() == {"unit_id"}
    assert not AttendanceEvent.objects.exists()


def test_get_is_not_allowed(town: Town) -> None:
    answer = _call(method="GET", user=town.users["dept_staff"])
    assert answer.status == 405


def test_a_removed_role_takes_effect_on_the_next_tap(town: Town) -> None:
    # The principal is reused between requests while the access epoch stands still; a bulk change moves it.
    assert _tap(town, key="r-1").status == 201
    employee = town.users["dept_staff"].account.employee
    RoleAssignment.objects.filter(employee=employee).update(valid_to=clock.today() - dt.timedelta(days=1))
    answer = _tap(town, key="r-2", kind="out")
    assert answer.status in (403, 404)  # no check-in right anywhere (403) or not on this unit (404)
    assert AttendanceEvent.objects.count() == 1


def test_every_lean_route_exists_in_both_urlconfs_with_the_plain_view() -> None:
    for method, path in LEAN_ROUTES:
        assert method == "POST"
        lean = resolve(path, urlconf=LEAN_URLCONF)
        assert lean.func is api.attendance_check_view
        full = resolve(path)  # the DRF view: the schema, other methods, django.test.Client
        assert getattr(full.func, "cls", None) is api.AttendanceCheckApi


def test_the_lean_handler_keeps_the_projects_middleware_but_static_files_and_messages() -> None:
    chain = lean_middleware()
    assert chain == [m for m in settings.MIDDLEWARE if m not in LEAN_SKIPPED_MIDDLEWARE]
    for needed in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "oas.audit.middleware.RequestContextMiddleware",
        "oas.access.middleware.AccessMiddleware",
    ):
        assert needed in chain
    handler = LeanHandler()
    names = {type(getattr(m, "__self__", m)).__name__ for m in handler._view_middleware}
    assert {"CsrfViewMiddleware", "AccessMiddleware"} <= names


def test_other_requests_go_to_djangos_handler() -> None:
    application = oas.wsgi.application
    assert isinstance(application, Dispatcher)
    with mock.patch.object(application.lean, "get_response") as lean:
        answer = _call(method="GET", path="/healthz")
    assert lean.call_count == 0
    assert answer.status in (200, 503)


def test_a_csrf_refusal_outside_the_api_keeps_djangos_page(town: Town) -> None:
    answer = _call(path="/i18n/setlang/", body=b"language=nn", user=town.users["dept_staff"], csrf=None)
    assert answer.status == 403
    assert answer.headers["Content-Type"].startswith("text/html")


def test_a_key_of_another_childs_tap_is_refused_without_telling_about_it(town: Town) -> None:
    assert _tap(town, child="big", key="shared").status == 201
    answer = _tap(town, child="small", key="shared")
    assert answer.status == 400
    error = answer.json()
    assert error["code"] == "key_conflict"
    assert list(error["fields"]) == ["key"]
    assert str(town.children["big"].pk) not in answer.body.decode()
    assert AttendanceEvent.objects.count() == 1


def test_a_kind_of_the_wrong_type_is_named(town: Town) -> None:
    answer = _tap(town, kind=["in"])
    assert answer.status == 400
    assert list(answer.json()["fields"]) == ["kind"]


def test_the_drf_view_serves_a_tablet_with_csrf_checks_through_the_full_stack(town: Town) -> None:
    # django.test.Client goes through Django's ordinary handler (the DRF view); with CSRF enforced as in a browser,
    # DRF reads the body for its CSRF check, so the view must take the parsed data from DRF.
    client = Client(enforce_csrf_checks=True)
    client.force_login(town.users["dept_staff"])
    token = secrets.token_hex(16)
    client.cookies["csrftoken"] = token
    body = {"unit_id": town.units["D1"].pk, "child_id": town.children["small"].pk, "kind": "in", "key": "drf-1"}
    response = client.post(CHECK, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.content
    assert AuditEvent.objects.filter(event="attendance.check_in").count() == 1
    refused = client.post(CHECK, {**body, "key": "drf-2"}, content_type="application/json")
    assert refused.status_code == 403
    bad = client.post(CHECK, "{nope", content_type="application/json", headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    assert bad.json()["code"] == "parse_error"
