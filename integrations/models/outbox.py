"""The transactional outbox: deliveries to other systems, written in the business transaction."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Venter")
    IN_PROGRESS = "in_progress", _("Under levering")
    DELIVERED = "delivered", _("Levert")
    DEAD = "dead", _("Feilet (må behandles)")


class OutboxMessage(models.Model):
    """One delivery to another system; ``idempotency_key`` travels to the receiver so redelivery is harmless."""

    kind = models.CharField(_("type"), max_length=100, db_index=True)
    payload = models.JSONField(_("innhold"), default=dict)
    idempotency_key = models.CharField(_("idempotensnøkkel"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(_("forsøk"), default=0)
    next_attempt_at = models.DateTimeField(_("neste forsøk"))
    claim_token = models.UUIDField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(_("lås utløper"), null=True, blank=True)
    last_error = models.TextField(_("siste feil"), blank=True)
    result = models.JSONField(_("resultat fra mottaker"), default=dict, blank=True)
    delivered_at = models.DateTimeField(_("levert"), null=True, blank=True)
    dead_at = models.DateTimeField(_("feilet endelig"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("utgående leveranse")
        verbose_name_plural = _("utgående leveranser (outbox)")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="outbox_pending_due", condition=Q(status=OutboxStatus.PENDING)
            ),
            models.Index(
                fields=["lease_expires_at"],
                name="outbox_in_progress_lease",
                condition=Q(status=OutboxStatus.IN_PROGRESS),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=OutboxStatus.IN_PROGRESS)
                | Q(claim_token__isnull=False, lease_expires_at__isnull=False),
                name="outbox_in_progress_has_claim",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key} ({self.status})"
