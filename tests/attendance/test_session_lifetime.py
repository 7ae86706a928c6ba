"""Session lifetimes (oas/identity/session_lifetime.py) and the Content-Security-Policy header.

Staff: 12 hours from login, however active. Guardians and shared tablets (a session that opened the
krysseliste): 30 minutes without a request. Lives here for the attendance town (the krysseliste needs a unit).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from oas import clock
from oas.identity.login_session import SESSION_AUTH

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/arbeidsflate/"
GUARDIAN_PAGE = "/portal/"


def _client(user: object, *, kind: str) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    session = client.session
    session[SESSION_AUTH] = {"provider": "idporten" if kind == "guardian" else "entra", "kind": kind, "acr": ""}
    session.save()
    return client


class WallClock:
    """The session rules use the wall clock (``time.time``), not ``oas.clock``: move it here."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.start = time.time()
        self.offset = 0.0
        real = time.time
        monkeypatch.setattr("oas.identity.session_lifetime.time.time", lambda: real() + self.offset)

    def at(self, *, hours: float = 0, minutes: float = 0) -> None:
        self.offset = hours * 3600 + minutes * 60


@pytest.fixture
def wall(monkeypatch: pytest.MonkeyPatch) -> WallClock:
    return WallClock(monkeypatch)


def _logged_in(response: Any) -> bool:
    return response.status_code == 200


def test_settings_no_longer_keep_a_session_for_fourteen_days() -> None:
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    assert settings.SESSION_STAFF_MAX_SECONDS == 12 * 3600
    assert settings.SESSION_IDLE_SECONDS == 30 * 60


def test_a_guardian_is_logged_out_after_thirty_idle_minutes_but_activity_keeps_the_session(town, wall) -> None:
    client = _client(town.users["guardian"], kind="guardian")
    first = client.get(GUARDIAN_PAGE)
    assert _logged_in(first)
    assert first.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 60
    wall.at(minutes=25)
    assert _logged_in(client.get(GUARDIAN_PAGE))
    wall.at(minutes=50)  # 25 idle minutes since the last request
    assert _logged_in(client.get(GUARDIAN_PAGE))
    wall.at(minutes=81)  # 31 idle minutes
    refused = client.get(GUARDIAN_PAGE)
    assert refused.status_code == 302
    assert refused["Location"].startswith(settings.LOGIN_URL)
    assert "_auth_user_id" not in client.session


def test_moving_the_business_date_does_not_age_a_session(town) -> None:
    client = _client(town.users["guardian"], kind="guardian")
    assert _logged_in(client.get(GUARDIAN_PAGE))
    with clock.freeze(clock.now() + dt.timedelta(days=3)):
        assert _logged_in(client.get(GUARDIAN_PAGE))


def test_staff_sessions_end_twelve_hours_after_login_however_active(town, wall) -> None:
    client = _client(town.users["leader"], kind="staff")
    for hour in range(12):  # a request every hour: activity does not extend a staff session
        wall.at(hours=hour, minutes=1)
        response = client.get(STAFF_PAGE)
        assert _logged_in(response), hour
    wall.at(hours=11, minutes=59)
    assert _logged_in(client.get(STAFF_PAGE))
    wall.at(hours=12, minutes=1)
    assert client.get(STAFF_PAGE).status_code == 302
    # Staff are not logged out after 30 idle minutes (only guardians and tablets are).
    wall.at()
    other = _client(town.users["advisor"], kind="staff")
    assert _logged_in(other.get(STAFF_PAGE))
    assert 0 < other.session.get_expiry_age() <= 12 * 3600
    wall.at(hours=4)
    assert _logged_in(other.get(STAFF_PAGE))


def test_a_staff_session_that_opened_the_krysseliste_is_a_shared_tablet_with_the_idle_rule(town, wall) -> None:
    tablet = _client(town.users["dept_staff"], kind="staff")
    page = reverse("attendance:krysseliste", args=[town.units["D1"].pk])
    assert _logged_in(tablet.get(page))
    wall.at(minutes=20)
    assert _logged_in(tablet.get(page))
    wall.at(minutes=51)
    assert tablet.get(page).status_code == 302
    # A colleague denied the page (404) does not turn their own session into a tablet's.
    wall.at()
    other = _client(town.users["other_unit_staff"], kind="staff")
    assert other.get(page).status_code == 404  # denied, without saying the unit exists
    wall.at(hours=2)
    assert _logged_in(other.get(STAFF_PAGE))


def test_pages_carry_a_content_security_policy_without_inline_scripts(town) -> None:
    response = _client(town.users["guardian"], kind="guardian").get(GUARDIAN_PAGE)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert Client().get("/").has_header("Content-Security-Policy")
    assert "<script>" not in response.content.decode()
