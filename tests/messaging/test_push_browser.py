"""Web push from the browser: the service worker at the site root, and storing/removing subscriptions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from messaging.models import NotificationPreference, PushSubscription
from tests.messaging.conftest import World, login, person

pytestmark = pytest.mark.django_db

SUB = {
    "endpoint": "https://push.example.invalid/send/abc123",
    "expirationTime": None,
    "keys": {
        "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        "auth": "tBHItJI5svbpez7KI4CCXg",
    },
}


def _post(client: Client, url: str, body: Any) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=data, content_type="application/json")


def test_the_service_worker_is_served_from_the_root_as_javascript_with_a_site_wide_scope() -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert b"showNotification" in response.content


def test_the_settings_page_offers_push_with_the_vapid_public_key(world: World, settings: Any) -> None:
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTheTest_123"
    page = login(Client(), world, "guardian").get("/meldinger/innstillinger/").content.decode()
    assert 'data-key="BPublicKeyForTheTest_123"' in page
    assert 'id="push-on"' in page and "messaging/push.js" in page


def test_a_guardian_subscribes_this_browser_and_unsubscribes_again(world: World) -> None:
    guardian = login(Client(), world, "guardian")
    me = person(world, "guardian")
    response = _post(guardian, "/meldinger/innstillinger/push/", SUB)
    assert response.status_code == 201
    sub = PushSubscription.objects.get()
    assert (sub.person_id, sub.endpoint, sub.auth) == (me.pk, SUB["endpoint"], "tBHItJI5svbpez7KI4CCXg")
    assert NotificationPreference.objects.get(person=me).push is True
    # someone else cannot remove my subscription
    other = login(Client(), world, "other_guardian")
    assert _post(other, "/meldinger/innstillinger/push/slett/", {"endpoint": SUB["endpoint"]}).json()["removed"] == 0
    assert PushSubscription.objects.count() == 1
    assert _post(guardian, "/meldinger/innstillinger/push/slett/", {"endpoint": SUB["endpoint"]}).status_code == 200
    assert not PushSubscription.objects.exists()
    assert NotificationPreference.objects.get(person=me).push is False


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        [],
        {"endpoint": "http://push.example.invalid/x", "keys": SUB["keys"]},
        {"endpoint": "javascript:alert(1)", "keys": SUB["keys"]},
        {"endpoint": SUB["endpoint"], "keys": {"p256dh": "<script>", "auth": "x"}},
        {"endpoint": SUB["endpoint"]},
        {"endpoint": "https://push.example.invalid/" + "a" * 600, "keys": SUB["keys"]},
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_stored(world: World, body: Any) -> None:
    response = _post(login(Client(), world, "guardian"), "/meldinger/innstillinger/push/", body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert not PushSubscription.objects.exists()


def test_anonymous_users_cannot_store_a_subscription(world: World) -> None:
    assert _post(Client(), "/meldinger/innstillinger/push/", SUB).status_code in (302, 403)
    assert _post(Client(), "/meldinger/innstillinger/push/slett/", {"endpoint": "x"}).status_code in (302, 403)
    assert not PushSubscription.objects.exists()


def test_the_page_gives_the_script_a_csrf_token_that_the_endpoint_accepts(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, world, "guardian")
    page = client.get("/meldinger/innstillinger/").content.decode()
    token = page.split('data-csrf="', 1)[1].split('"', 1)[0]
    assert _post(client, "/meldinger/innstillinger/push/", SUB).status_code == 403
    ok = client.post(
        "/meldinger/innstillinger/push/", data=json.dumps(SUB), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert ok.status_code == 201
