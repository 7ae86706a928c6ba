"""A table-less model so the operations overview gets its own entry and permission in the Django admin."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IntegrationOverview(models.Model):
    """Never stored: the admin page ``Integrasjoner`` reads outbox, sync runs, letters and archive state."""

    class Meta:
        managed = False
        verbose_name = _("driftsoversikt")
        verbose_name_plural = _("driftsoversikt integrasjoner")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class IntegrationRun(models.Model):
    """One run of a periodic integration job (e.g. SvarUt status polling): when, how much, what failed."""

    system = models.CharField(_("system"), max_length=40)
    job = models.CharField(_("jobb"), max_length=60)
    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)
    ok = models.BooleanField(_("vellykket"), default=True)
    counts = models.JSONField(_("antall"), default=dict, blank=True)
    error = models.TextField(_("feil"), blank=True)

    class Meta:
        verbose_name = _("integrasjonskjøring")
        verbose_name_plural = _("integrasjonskjøringer")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["system", "job", "-started_at"], name="integration_run_latest")]

    def __str__(self) -> str:
        return f"{self.system}.{self.job} {self.started_at:%Y-%m-%d %H:%M}"
