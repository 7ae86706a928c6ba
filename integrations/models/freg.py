"""Folkeregisteret sync state: the feed cursor, run history, and changes staff must act on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import OrgUnit
from oas.people.models import Person


class FregCursor(models.Model):
    """The last feed sequence number we have fully processed (``hendelser/feed``)."""

    name = models.CharField(max_length=50, unique=True, default="hendelser")
    last_sequence = models.BigIntegerField(_("siste behandlede sekvensnummer"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Folkeregisteret: hendelsespeker")
        verbose_name_plural = _("Folkeregisteret: hendelsespekere")

    def __str__(self) -> str:
        return f"{self.name}@{self.last_sequence}"


class SyncRunKind(models.TextChoices):
    INITIAL_LOAD = "initial_load", _("Første innlasting")
    FEED = "feed", _("Hendelser")


class SyncRunStatus(models.TextChoices):
    RUNNING = "running", _("Kjører")
    SUCCEEDED = "succeeded", _("Fullført")
    FAILED = "failed", _("Feilet")


class FregSyncRun(models.Model):
    """One run of the initial load or the feed sync, with counts and the error if it stopped."""

    kind = models.CharField(max_length=20, choices=SyncRunKind.choices)
    status = models.CharField(max_length=20, choices=SyncRunStatus.choices, default=SyncRunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    from_sequence = models.BigIntegerField(null=True, blank=True)
    to_sequence = models.BigIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Folkeregisteret: kjøring")
        verbose_name_plural = _("Folkeregisteret: kjøringer")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class NoticeKind(models.TextChoices):
    MOVED_OUT_OF_SCHOOL_DISTRICT = "moved_out_of_skolekrets", _("Barnet har flyttet ut av skolekretsen")
    MOVED_OUT_OF_MUNICIPALITY = "moved_out_of_municipality", _("Barnet har flyttet ut av kommunen")
    FORELDREANSVAR_CHANGED = "foreldreansvar_changed", _("Foreldreansvaret er endret")
    PROTECTED_ADDRESS = "protected_address", _("Barnet har fått adressebeskyttelse")
    DECEASED = "deceased", _("Barnet er registrert som død")
    EMIGRATED = "emigrated", _("Barnet er registrert som utflyttet")


class RegisterChangeNotice(models.Model):
    """A change from Folkeregisteret that staff of the child's unit must look at (shown in their arbeidsflate)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="register_change_notices")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="register_change_notices")
    kind = models.CharField(_("type"), max_length=40, choices=NoticeKind.choices)
    sequence = models.BigIntegerField(_("sekvensnummer i hendelseslisten"), null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("endring fra Folkeregisteret")
        verbose_name_plural = _("endringer fra Folkeregisteret")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "resolved_at"])]
        constraints = [
            # A redelivered feed page must not raise the same notice twice.
            models.UniqueConstraint(
                fields=["person", "unit", "kind", "sequence"], name="registerchangenotice_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} @ {self.unit_id}"
