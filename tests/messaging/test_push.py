"""Web push through pywebpush to a local push endpoint (VAPID-signed, encrypted payload)."""

from __future__ import annotations

import base64
import os
from typing import Any, cast

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid01

from integrations.common.simulator import SimRequest, SimResponse, SimulatorServer
from messaging.models import Channel, Delivery, DeliveryStatus, PushSubscription
from messaging.services.delivery import deliveries_send
from messaging.services.notifications import deliveries_dispatch_batches, notify_persons, preference_set, push_subscribe
from tests.messaging.conftest import new_person

pytestmark = pytest.mark.django_db


class PushService(SimulatorServer):
    """A push service endpoint: accepts encrypted pushes with a VAPID Authorization header."""

    name = "push"

    def __init__(self) -> None:
        super().__init__()
        self.received: list[SimRequest] = []

    def handle(self, request: SimRequest) -> SimResponse:
        if request.path == "/gone":
            return SimResponse.json({}, status=410)
        self.received.append(request)
        return SimResponse.json({}, status=201)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _browser_keys() -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return _b64(public), _b64(os.urandom(16))


def test_a_push_is_signed_encrypted_and_sent_once_and_a_gone_subscription_is_removed(settings: Any) -> None:
    vapid = Vapid01()
    vapid.generate_keys()
    der = vapid.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    settings.VAPID_PRIVATE_KEY = _b64(der)  # the form pywebpush takes (or a path to a PEM file)
    person = new_person(email="", phone="")
    preference_set(person_id=person.pk, email=False, sms=False, push=True)
    with PushService() as started:
        server = cast(PushService, started)
        keep = f"{server.url}/push/abc"
        p256dh, auth = _browser_keys()
        push_subscribe(person_id=person.pk, endpoint=f"{server.url}/push/abc", p256dh=p256dh, auth=auth)
        push_subscribe(person_id=person.pk, endpoint=f"{server.url}/gone", p256dh=p256dh, auth=auth)
        notify_persons(person_ids=[person.pk], key="push-1", title="Ny melding", url="/meldinger/portal/1/")
        assert list(Delivery.objects.values_list("channel", flat=True)) == [Channel.PUSH]
        ids = [i for batch in deliveries_dispatch_batches() for i in batch]
        assert deliveries_send(ids=ids) == {"sent": 1, "retry": 0, "failed": 0}
        assert deliveries_send(ids=ids) == {}
        (request,) = server.received
        assert request.header("authorization").startswith("vapid t=")
        assert request.header("content-encoding") == "aes128gcm"
        assert b"Ny melding" not in request.body  # encrypted for the browser only
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [keep]
