"""ERP employee master data imports: one row per file processed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ErpImportStatus(models.TextChoices):
    IMPORTED = "imported", _("Importert")
    REJECTED = "rejected", _("Avvist (ingenting skrevet)")


class ErpImportRun(models.Model):
    """One ERP export file: what it did, or why it was rejected as a whole."""

    file_name = models.CharField(_("fil"), max_length=500)
    sha256 = models.CharField(_("sjekksum (SHA-256)"), max_length=64, db_index=True)
    source = models.CharField(_("kilde"), max_length=20, help_text=_("beat, command"))
    status = models.CharField(_("status"), max_length=10, choices=ErpImportStatus.choices)
    started_at = models.DateTimeField(_("startet"))
    finished_at = models.DateTimeField(_("ferdig"))
    counts = models.JSONField(_("antall"), default=dict, blank=True)
    errors = models.JSONField(_("feil"), default=list, blank=True)

    class Meta:
        verbose_name = _("ERP-import")
        verbose_name_plural = _("ERP-importer")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.status} {self.started_at:%Y-%m-%d %H:%M}"
