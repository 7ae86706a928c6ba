"""Browser push subscriptions from the settings page: validate what the browser sent, store or remove it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from messaging.models import NotificationPreference, PushSubscription
from messaging.services.notifications import push_subscribe
from oas.audit.services import audit_record
from oas.errors import ValidationError

if TYPE_CHECKING:
    from oas.access.principal import Actor

_B64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
MAX_ENDPOINT = 500
MAX_KEY = 100


@dataclass(frozen=True)
class BrowserSubscription:
    endpoint: str
    p256dh: str
    auth: str


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def push_subscription_parse(*, data: Any) -> BrowserSubscription:
    """Check a ``PushSubscription.toJSON()`` object; anything else is refused with a clear error."""
    if not isinstance(data, dict):
        raise ValidationError(_("Ugyldig abonnement."))
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict):
        raise ValidationError(_("Abonnementet mangler adresse eller nøkler."))
    parts = urlsplit(endpoint)
    secure = parts.scheme == "https" or (parts.scheme == "http" and _loopback(parts.hostname or ""))
    if not secure or not parts.hostname or len(endpoint) > MAX_ENDPOINT:
        raise ValidationError(_("Ugyldig adresse for nettleservarsler."), fields={"endpoint": [_("Må være https.")]})
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    for value in (p256dh, auth):
        if not isinstance(value, str) or not value or len(value) > MAX_KEY or not _B64URL.match(value):
            raise ValidationError(_("Ugyldige nøkler for nettleservarsler."), fields={"keys": [_("Ugyldig nøkkel.")]})
    return BrowserSubscription(endpoint=endpoint, p256dh=str(p256dh), auth=str(auth))


def push_subscription_store(*, user: Actor, person_id: int, data: Any) -> PushSubscription:
    """Store this browser's subscription for the person (an endpoint moves to whoever subscribed last)."""
    parsed = push_subscription_parse(data=data)
    with transaction.atomic():
        sub = push_subscribe(person_id=person_id, endpoint=parsed.endpoint, p256dh=parsed.p256dh, auth=parsed.auth)
        # Subscribing is the consent: the push channel is switched on (e-mail/SMS choices stay as they were).
        NotificationPreference.objects.update_or_create(person_id=person_id, defaults={"push": True})
        audit_record(
            action="create",
            event="messaging.push.subscribe",
            object_type="messaging.pushsubscription",
            object_id=sub.pk,
            user_id=user.pk,
            person_ids=[person_id],
        )
    return sub


def push_subscription_delete(*, user: Actor, person_id: int, endpoint: str) -> int:
    """Remove the person's own subscription for this endpoint; someone else's is never touched."""
    with transaction.atomic():
        deleted, _unused = PushSubscription.objects.filter(person_id=person_id, endpoint=endpoint).delete()
        if deleted and not PushSubscription.objects.filter(person_id=person_id).exists():
            NotificationPreference.objects.filter(person_id=person_id).update(push=False)
    if deleted:
        audit_record(
            action="delete",
            event="messaging.push.unsubscribe",
            object_type="messaging.pushsubscription",
            object_id="",
            user_id=user.pk,
            person_ids=[person_id],
        )
    return int(deleted)
