"""The krysseliste's tap token: the page's signed, short-lived grant to tap in one unit, used instead of the session.

The taps go through the real WSGI application (``oas.wsgi.application``): the dispatcher sends a tap with a bearer
token to ``attendance.tap`` (``oas.lean.TOKEN_ROUTES``), outside Django's request cycle. Behind Django's own
handler (``django.test.Client``) ``oas.lean.TokenRouteMiddleware`` does the same.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any
from unittest import mock

import pytest
from django.db.models import F
from django.test import Client

import oas.wsgi
from attendance.models import AttendanceEvent
from attendance.tokens import TAP_TOKEN_SECONDS, tap_token_issue
from oas import clock
from oas.access.models import RoleAssignment
from oas.audit.models import AuditEvent
from oas.lean import Dispatcher, TokenRouteApplication

from .conftest import Town
from .test_checkin_wsgi import CHECK, Answer, _call

pytestmark = pytest.mark.django_db


def _page_token(town: Town, user: str = "dept_staff", unit: str = "D1") -> str:
    """The token the krysseliste page carries, as the tablet gets it."""
    client = Client()
    client.force_login(town.users[user])
    page = client.get(f"/oppmote/{town.units[unit].pk}/")
    assert page.status_code == 200
    found = re.search(r'data-token="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def _wsgi(*, token: str | None, body: bytes | dict[str, Any], host: str = "testserver") -> Answer:
    """A tap through ``oas.wsgi.application`` with the token (no cookies, no CSRF token); None: neither."""
    if token is None:
        return _call(body=body, csrf=None, host=host, remote_addr="10.9.8.7")
    return _call(body=body, bearer=token, host=host, remote_addr="10.9.8.7")


def _body(town: Town, *, child: str = "small", unit: str = "D1", key: str = "t-1", kind: str = "in") -> dict[str, Any]:
    return {"unit_id": town.units[unit].pk, "child_id": town.children[child].pk, "kind": kind, "key": key}


def test_a_tap_with_the_page_token_is_served_outside_django_and_audited_as_the_staff_member(town: Town) -> None:
    application = oas.wsgi.application
    assert isinstance(application, Dispatcher)
    token_app = application.token_routes[("POST", CHECK)]
    assert isinstance(token_app, TokenRouteApplication)
    lean_handler: Any = application.lean
    full_handler: Any = application.full
    token = _page_token(town)
    with (
        mock.patch.object(lean_handler, "get_response", wraps=lean_handler.get_response) as lean,
        mock.patch.object(full_handler, "get_response", wraps=full_handler.get_response) as full,
        mock.patch.object(token_app, "respond", wraps=token_app.respond) as respond,
    ):
        answer = _wsgi(token=token, body=_body(town))  # no session cookie, no CSRF token
    assert answer.status == 201, answer.body
    assert (respond.call_count, lean.call_count, full.call_count) == (1, 0, 0)
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's headers
    assert int(answer.headers["Content-Length"]) == len(answer.body)
    body = answer.json()
    small = town.children["small"].pk
    assert (body["child_id"], body["unit_id"], body["kind"], body["duplicate"]) == (
        small,
        town.units["K1"].pk,
        "in",
        False,
    )
    event = AttendanceEvent.objects.get(key="t-1")
    staff = town.users["dept_staff"]
    assert event.user_id == staff.pk
    audit = AuditEvent.objects.get(event="attendance.check_in")
    assert audit.object_id == str(event.pk)
    assert audit.person_ids == [small]
    assert audit.user_id == staff.pk
    page_read = AuditEvent.objects.get(event="attendance.krysseliste")  # the page, with the session
    assert audit.actor_display == page_read.actor_display != ""
    assert "Blåbær" in audit.acting_role  # the acting role of the page that got the token
    assert len(audit.session_ref) == 16  # the page's session, by reference
    assert (audit.ip, audit.path, audit.method) == ("10.9.8.7", CHECK, "POST")


def test_replays_and_double_taps_with_the_token_write_one_event(town: Town) -> None:
    token = _page_token(town)
    first = _wsgi(token=token, body=_body(town, key="r-1"))
    assert first.status == 201
    replay = _wsgi(token=token, body=_body(town, key="r-1"))
    assert replay.status == 200
    assert replay.json() == {**first.json(), "duplicate": True}
    double = _wsgi(token=token, body=_body(town, key="r-2"))
    assert double.status == 200
    assert double.json()["duplicate"] is True
    assert AttendanceEvent.objects.count() == 1
    assert _wsgi(token=token, body=_body(town, key="r-3", kind="out")).status == 201
    assert AttendanceEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "csrf_failed"), ("", "token_invalid"), ("forged:token", "token_invalid")],
    ids=["no-token-nor-session", "empty", "forged"],
)
def test_without_a_valid_token_nothing_is_written(town: Town, token: str | None, code: str) -> None:
    answer = _wsgi(token=token, body=_body(town))
    assert answer.status == (403 if token is None else 401)  # without a token: the session path's CSRF check
    assert answer.json()["code"] == code
    assert not AttendanceEvent.objects.exists()
    assert not AuditEvent.objects.filter(event="attendance.check_in").exists()


def test_a_tampered_token_is_refused(town: Town) -> None:
    token = _page_token(town)
    payload, rest = token.split(":", 1)
    tampered = ("x" if payload[0] != "x" else "y") + payload[1:] + ":" + rest
    answer = _wsgi(token=tampered, body=_body(town))
    assert answer.status == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert not AttendanceEvent.objects.exists()


def test_the_token_covers_its_own_unit_only(town: Town) -> None:
    token = _page_token(town, unit="D1")
    # "big" is in D1 too, but the tap names D2: refused before anything is read.
    answer = _wsgi(token=token, body=_body(town, child="big", unit="D2"))
    assert answer.status == 403
    assert answer.json()["code"] == "wrong_unit"
    assert set(answer.json()["fields"]) == {"unit_id"}
    assert not AttendanceEvent.objects.exists()


def test_an_expired_token_is_refused_and_a_new_one_from_the_session_works(town: Town) -> None:
    staff = town.users["dept_staff"]
    with mock.patch("django.core.signing.time.time", return_value=time.time() - TAP_TOKEN_SECONDS - 5):
        old = tap_token_issue(user=staff, unit_id=town.units["D1"].pk, language="nb")
    answer = _wsgi(token=old, body=_body(town))
    assert answer.status == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()

    client = Client()
    client.force_login(staff)
    fresh = client.get(f"/oppmote/{town.units['D1'].pk}/tap-token")
    assert fresh.status_code == 200
    assert fresh["Cache-Control"] == "no-store"
    assert fresh.json()["expires_in"] == TAP_TOKEN_SECONDS
    assert _wsgi(token=fresh.json()["token"], body=_body(town)).status == 201


def test_a_token_from_yesterday_is_refused(town: Town) -> None:
    with clock.freeze(dt.datetime(2026, 11, 18, 23, 55, tzinfo=clock.OSLO)):
        yesterday = tap_token_issue(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, language="nb")
    answer = _wsgi(token=yesterday, body=_body(town))
    assert answer.status == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()


def test_a_change_of_rights_anywhere_ends_the_token_and_the_page_gets_a_new_one(town: Town) -> None:
    token = _page_token(town)
    other = RoleAssignment.objects.filter(employee__accounts__user=town.users["other_unit_staff"])
    assert other.update(valid_from=F("valid_from")) >= 1  # the access epoch moves
    answer = _wsgi(token=token, body=_body(town))
    assert answer.status == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()
    assert not AuditEvent.objects.filter(event="attendance.checkin.not_placed").exists()
    assert _wsgi(token=_page_token(town), body=_body(town)).status == 201


def test_when_the_staff_member_loses_the_unit_the_token_ends_and_no_new_one_is_given(town: Town) -> None:
    token = _page_token(town)
    staff = town.users["dept_staff"]
    RoleAssignment.objects.filter(employee__accounts__user=staff).update(valid_to=clock.today() - dt.timedelta(days=1))
    assert _wsgi(token=token, body=_body(town)).status == 401
    client = Client()
    client.force_login(staff)
    assert client.get(f"/oppmote/{town.units['D1'].pk}/tap-token").status_code in (403, 404)
    assert not AttendanceEvent.objects.exists()


def test_a_deactivated_account_ends_the_token(town: Town) -> None:
    token = _page_token(town)
    staff = town.users["dept_staff"]
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    answer = _wsgi(token=token, body=_body(town))
    assert answer.status == 401
    assert not AttendanceEvent.objects.exists()


def test_bad_input_with_a_token_names_the_field_and_writes_nothing(town: Town) -> None:
    token = _page_token(town)
    broken = _wsgi(token=token, body=b"{not json")
    assert broken.status == 400
    assert broken.json()["code"] == "parse_error"
    missing = _wsgi(token=token, body={"unit_id": town.units["D1"].pk, "kind": "sideways"})
    assert missing.status == 400
    assert set(missing.json()["fields"]) == {"child_id", "kind", "key"}
    not_placed = _wsgi(token=token, body=_body(town, child="other"))
    assert not_placed.status == 400
    assert not_placed.json()["code"] == "not_placed"
    assert set(not_placed.json()["fields"]) == {"child_id"}
    assert not AttendanceEvent.objects.exists()
    denied = AuditEvent.objects.get(event="attendance.checkin.not_placed")
    assert denied.user_id == town.users["dept_staff"].pk
    assert denied.person_ids == [town.children["other"].pk]


def test_an_unknown_host_is_refused(town: Town) -> None:
    answer = _wsgi(token=_page_token(town), body=_body(town), host="evil.example")
    assert answer.status == 400
    assert answer.json()["code"] == "bad_request"
    assert not AttendanceEvent.objects.exists()


def test_a_failure_answers_500_in_the_api_shape_so_the_tablet_keeps_the_tap(town: Town) -> None:
    token = _page_token(town)
    with mock.patch("attendance.services.attendance_check_granted", side_effect=RuntimeError("database gone")):
        answer = _wsgi(token=token, body=_body(town))
    assert answer.status == 500
    assert answer.json()["code"] == "server_error"
    assert not AttendanceEvent.objects.exists()


def test_the_token_opens_nothing_else(town: Town) -> None:
    token = _page_token(town)
    client = Client()
    # Another API endpoint: the token is no session.
    absence = client.post(
        "/api/v1/attendance/absences",
        {"child_id": town.children["small"].pk},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert absence.status_code in (401, 403)
    page = client.get(f"/oppmote/{town.units['D1'].pk}/", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code in (302, 401, 403)
    # As a cookie it is not read at all.
    client.cookies["Authorization"] = f"Bearer {token}"
    tap = client.post(CHECK, _body(town), content_type="application/json")
    assert tap.status_code in (401, 403)
    assert not AttendanceEvent.objects.exists()


def test_behind_djangos_handler_the_middleware_serves_the_token_tap(town: Town) -> None:
    token = _page_token(town)
    client = Client(enforce_csrf_checks=True)
    answer = client.post(
        CHECK, _body(town, key="m-1"), content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 201, answer.content
    assert AttendanceEvent.objects.get(key="m-1").user_id == town.users["dept_staff"].pk
    refused = client.post(
        CHECK, _body(town, key="m-2"), content_type="application/json", headers={"Authorization": "Bearer nope"}
    )
    assert refused.status_code == 401


def test_the_token_endpoint_follows_the_access_layer(town: Town) -> None:
    url = f"/oppmote/{town.units['D1'].pk}/tap-token"
    allowed = Client()
    allowed.force_login(town.users["dept_staff"])
    assert allowed.get(url).status_code == 200
    other = Client()
    other.force_login(town.users["other_unit_staff"])
    assert other.get(url).status_code == 404
    guardian = Client()
    guardian.force_login(town.users["guardian"])
    assert guardian.get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 401)
    assert "token" not in anonymous.content.decode()


def test_messages_come_in_the_language_of_the_page_that_got_the_token(town: Town) -> None:
    token = tap_token_issue(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, language="en")
    answer = _wsgi(token=token, body=_body(town, child="other"))
    assert answer.status == 400
    assert answer.json()["message"] == "The child does not have a place at this unit today."
