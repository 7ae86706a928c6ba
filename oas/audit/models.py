"""The audit log: append-only, enforced by a database trigger (see migration 0002)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    READ = "read", _("Lest")
    CREATE = "create", _("Opprettet")
    UPDATE = "update", _("Endret")
    DELETE = "delete", _("Slettet")
    EXPORT = "export", _("Eksportert")
    DENIED = "denied", _("Nektet")
    LOGIN = "login", _("Innlogging")
    LOGOUT = "logout", _("Utlogging")
    SEND = "send", _("Sendt")


class AuditEvent(models.Model):
    """Who did what to whose data, when, from where. Never updated, never deleted."""

    at = models.DateTimeField(_("tidspunkt"), db_index=True)
    user_id = models.BigIntegerField(_("bruker-ID"), null=True, blank=True, db_index=True)  # no FK: rows outlive users
    actor_display = models.CharField(_("utført av"), max_length=200, blank=True)
    acting_role = models.CharField(_("rolle"), max_length=100, blank=True)
    action = models.CharField(_("handling"), max_length=20, choices=AuditAction.choices)
    event = models.CharField(_("hendelse"), max_length=100, help_text=_("Stabil kode, f.eks. child.read"))
    person_ids = ArrayField(models.BigIntegerField(), default=list, blank=True, verbose_name=_("personer"))
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip = models.CharField(_("IP-adresse"), max_length=45, blank=True)
    session_ref = models.CharField(_("sesjon"), max_length=32, blank=True)
    path = models.CharField(_("side/endepunkt"), max_length=500, blank=True)
    method = models.CharField(max_length=10, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("logghendelse")
        verbose_name_plural = _("tilgangslogg")
        ordering = ["-at", "-id"]
        indexes = [GinIndex(fields=["person_ids"], name="audit_person_ids_gin"), models.Index(fields=["event", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_display} {self.event}"
