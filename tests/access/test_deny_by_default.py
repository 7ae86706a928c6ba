"""Deny by default: a view that is neither @public nor declares its action refuses everyone."""

from __future__ import annotations

import pytest

from oas.audit.models import AuditAction, AuditEvent

pytestmark = pytest.mark.urls("tests.access.undeclared_urls")


@pytest.mark.parametrize(
    "url",
    [
        "/test/undeclared/",
        "/test/undeclared-class/",
        "/api/test/undeclared",
        "/api/test/allowany",
        "/api/test/allowany-declared",
    ],
)
def test_undeclared_view_refuses_even_the_system_administrator(client, world, url):
    client.force_login(world.user("sysadmin"))
    response = client.get(url)
    assert response.status_code == 403
    assert b"secret" not in response.content
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, event="access.undeclared_view").exists()


def test_undeclared_view_refuses_anonymous_visitors(client, db):
    assert client.get("/test/undeclared/").status_code == 403


@pytest.mark.parametrize("url", ["/test/declared/", "/test/declared-class/"])
def test_declared_view_opens_for_a_user_with_the_action(client, world, url):
    client.force_login(world.user("sysadmin"))
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/test/declared/", "/test/declared-class/"])
def test_declared_view_refuses_a_user_without_the_action(client, world, url):
    client.force_login(world.user("teacher"))
    assert client.get(url).status_code == 403


def test_declared_view_sends_anonymous_visitors_to_login(client, db):
    response = client.get("/test/declared/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("url", ["/", "/api/schema/", "/admin/login/", "/login/"])
def test_public_pages_stay_open_to_anonymous_visitors(client, db, url):
    assert client.get(url).status_code == 200


def test_language_switch_stays_open(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_health_endpoint_is_not_refused_by_access_control(client, db):
    assert client.get("/healthz").status_code in (200, 503)
