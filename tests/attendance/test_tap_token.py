"""The krysseliste's tap token: the page's signed, short-lived grant to tap in one unit, used instead of the session.

The tablet sends a tap with ``Authorization: Bearer <token>``, no cookies and no CSRF token; the check-in API
authenticates it with ``attendance.authentication.TapTokenAuthentication`` under the same declared action and
access checks as a session tap.
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
from django.utils import translation

from attendance.models import AttendanceEvent
from attendance.tokens import TAP_TOKEN_SECONDS, tap_token_issue
from oas import clock
from oas.access.models import RoleAssignment
from oas.audit.models import AuditEvent

from .conftest import Town

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/attendance/check"


def _page_token(town: Town, user: str = "dept_staff", unit: str = "D1") -> str:
    """The token the krysseliste page carries, as the tablet gets it."""
    client = Client()
    client.force_login(town.users[user])
    page = client.get(f"/oppmote/{town.units[unit].pk}/")
    assert page.status_code == 200
    found = re.search(r'data-token="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def _tap(*, token: str | None, body: Any, host: str = "testserver", client: Client | None = None) -> Any:
    """A tap as krysseliste.js sends it: the token, no cookies, no CSRF token (CSRF checks enforced)."""
    client = client or Client(enforce_csrf_checks=True, REMOTE_ADDR="10.9.8.7")
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return client.post(CHECK, body, content_type="application/json", headers=headers, HTTP_HOST=host)


def _body(town: Town, *, child: str = "small", unit: str = "D1", key: str = "t-1", kind: str = "in") -> dict[str, Any]:
    return {"unit_id": town.units[unit].pk, "child_id": town.children[child].pk, "kind": kind, "key": key}


def test_a_tap_with_the_page_token_is_audited_as_the_staff_member_of_the_page(town: Town) -> None:
    token = _page_token(town)
    answer = _tap(token=token, body=_body(town))  # no session cookie, no CSRF token
    assert answer.status_code == 201, answer.content
    assert answer["Content-Type"] == "application/json"
    assert answer["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware's headers
    assert "sessionid" not in answer.cookies
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
    assert audit.session_ref == page_read.session_ref  # the page's session, by reference
    assert len(audit.session_ref) == 16
    assert (audit.ip, audit.path, audit.method) == ("10.9.8.7", CHECK, "POST")


def test_replays_and_double_taps_with_the_token_write_one_event(town: Town) -> None:
    token = _page_token(town)
    first = _tap(token=token, body=_body(town, key="r-1"))
    assert first.status_code == 201
    replay = _tap(token=token, body=_body(town, key="r-1"))
    assert replay.status_code == 200
    assert replay.json() == {**first.json(), "duplicate": True}
    double = _tap(token=token, body=_body(town, key="r-2"))
    assert double.status_code == 200
    assert double.json()["duplicate"] is True
    assert AttendanceEvent.objects.count() == 1
    assert _tap(token=token, body=_body(town, key="r-3", kind="out")).status_code == 201
    assert AttendanceEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("token", "code"),
    [(None, "not_authenticated"), ("", "token_invalid"), ("forged:token", "token_invalid")],
    ids=["no-token-nor-session", "empty", "forged"],
)
def test_without_a_valid_token_nothing_is_written(town: Town, token: str | None, code: str) -> None:
    answer = _tap(token=token, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == code
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert not AttendanceEvent.objects.exists()
    assert not AuditEvent.objects.filter(event="attendance.check_in").exists()


def test_a_tampered_token_is_refused(town: Town) -> None:
    token = _page_token(town)
    payload, rest = token.split(":", 1)
    tampered = ("x" if payload[0] != "x" else "y") + payload[1:] + ":" + rest
    answer = _tap(token=tampered, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_invalid"
    assert not AttendanceEvent.objects.exists()


def test_the_token_covers_its_own_unit_only(town: Town) -> None:
    token = _page_token(town, unit="D1")
    # "big" is in D1 too, but the tap names D2: refused before anything is read.
    answer = _tap(token=token, body=_body(town, child="big", unit="D2"))
    assert answer.status_code == 403
    assert answer.json()["code"] == "wrong_unit"
    assert set(answer.json()["fields"]) == {"unit_id"}
    assert not AttendanceEvent.objects.exists()


def test_an_expired_token_is_refused_and_a_new_one_from_the_session_works(town: Town) -> None:
    staff = town.users["dept_staff"]
    with mock.patch("django.core.signing.time.time", return_value=time.time() - TAP_TOKEN_SECONDS - 5):
        old = tap_token_issue(user=staff, unit_id=town.units["D1"].pk, language="nb")
    answer = _tap(token=old, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()

    client = Client()
    client.force_login(staff)
    fresh = client.get(f"/oppmote/{town.units['D1'].pk}/tap-token")
    assert fresh.status_code == 200
    assert fresh["Cache-Control"] == "no-store"
    assert fresh.json()["expires_in"] == TAP_TOKEN_SECONDS
    assert _tap(token=fresh.json()["token"], body=_body(town)).status_code == 201


def test_a_token_from_yesterday_is_refused(town: Town) -> None:
    with clock.freeze(dt.datetime(2026, 11, 18, 23, 55, tzinfo=clock.OSLO)):
        yesterday = tap_token_issue(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, language="nb")
    answer = _tap(token=yesterday, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()


def test_a_change_of_rights_anywhere_ends_the_token_and_the_page_gets_a_new_one(town: Town) -> None:
    token = _page_token(town)
    other = RoleAssignment.objects.filter(employee__accounts__user=town.users["other_unit_staff"])
    assert other.update(valid_from=F("valid_from")) >= 1  # the access epoch moves
    answer = _tap(token=token, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()
    assert not AuditEvent.objects.filter(event="attendance.checkin.not_placed").exists()
    assert _tap(token=_page_token(town), body=_body(town)).status_code == 201


def test_when_the_staff_member_loses_the_unit_the_token_ends_and_no_new_one_is_given(town: Town) -> None:
    token = _page_token(town)
    staff = town.users["dept_staff"]
    RoleAssignment.objects.filter(employee__accounts__user=staff).update(valid_to=clock.today() - dt.timedelta(days=1))
    assert _tap(token=token, body=_body(town)).status_code == 401
    client = Client()
    client.force_login(staff)
    assert client.get(f"/oppmote/{town.units['D1'].pk}/tap-token").status_code == 403
    assert not AttendanceEvent.objects.exists()


def test_a_deactivated_account_ends_the_token(town: Town) -> None:
    token = _page_token(town)
    staff = town.users["dept_staff"]
    type(staff).objects.filter(pk=staff.pk).update(is_active=False)
    answer = _tap(token=token, body=_body(town))
    assert answer.status_code == 401
    assert answer.json()["code"] == "token_expired"
    assert not AttendanceEvent.objects.exists()


def test_bad_input_with_a_token_names_the_field_and_writes_nothing(town: Town) -> None:
    token = _page_token(town)
    broken = _tap(token=token, body="{not json")
    assert broken.status_code == 400
    assert broken.json()["code"] == "parse_error"
    missing = _tap(token=token, body={"unit_id": town.units["D1"].pk, "kind": "sideways"})
    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"child_id", "kind", "key"}
    not_placed = _tap(token=token, body=_body(town, child="other"))
    assert not_placed.status_code == 400
    assert not_placed.json()["code"] == "not_placed"
    assert set(not_placed.json()["fields"]) == {"child_id"}
    assert not AttendanceEvent.objects.exists()
    denied = AuditEvent.objects.get(event="attendance.checkin.not_placed")
    assert denied.user_id == town.users["dept_staff"].pk
    assert denied.person_ids == [town.children["other"].pk]


def test_an_unknown_host_is_refused(town: Town) -> None:
    answer = _tap(token=_page_token(town), body=_body(town), host="evil.example")
    assert answer.status_code == 400
    assert not AttendanceEvent.objects.exists()


def test_a_failure_answers_500_so_the_tablet_keeps_the_tap(town: Town) -> None:
    token = _page_token(town)
    client = Client(raise_request_exception=False)
    with mock.patch("attendance.services.audit_record", side_effect=RuntimeError("database gone")):
        answer = _tap(token=token, body=_body(town), client=client)
    assert answer.status_code == 500
    assert not AttendanceEvent.objects.exists()  # the tap's transaction was rolled back


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
    assert absence.status_code == 403
    page = client.get(f"/oppmote/{town.units['D1'].pk}/", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 302  # to the login
    renew = client.get(f"/oppmote/{town.units['D1'].pk}/tap-token", headers={"Authorization": f"Bearer {token}"})
    assert renew.status_code == 302
    # As a cookie it is not read at all.
    client.cookies["Authorization"] = f"Bearer {token}"
    tap = client.post(CHECK, _body(town), content_type="application/json")
    assert tap.status_code == 401
    assert not AttendanceEvent.objects.exists()


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
    assert anonymous.status_code == 302
    assert "token" not in anonymous.content.decode()


def test_messages_come_in_the_language_of_the_page_that_got_the_token(town: Town) -> None:
    token = tap_token_issue(user=town.users["dept_staff"], unit_id=town.units["D1"].pk, language="en")
    answer = _tap(token=token, body=_body(town, child="other"))
    assert answer.status_code == 400
    assert answer.json()["message"] == "The child does not have a place at this unit today."
    assert translation.get_language() == "nb"  # for that request only
