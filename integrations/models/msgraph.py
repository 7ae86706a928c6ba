"""Office 365 calendar events OAS wrote through Microsoft Graph: our key → Graph's event id."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GraphEvent(models.Model):
    """One calendar event (a lesson series or a single lesson) in one user's calendar.

    ``key`` is the caller's stable name for the event (also Graph's ``transactionId`` for the create), ``revision``
    the caller's latest change that was applied (older deliveries are ignored), ``deleted`` a tombstone.
    """

    key = models.CharField(_("nøkkel"), max_length=200, unique=True)
    user = models.CharField(_("Microsoft-bruker"), max_length=200)
    event_id = models.CharField(_("hendelses-ID i Graph"), max_length=300, blank=True)
    revision = models.PositiveIntegerField(_("revisjon"), default=0)
    deleted = models.BooleanField(_("slettet"), default=False)
    updated_at = models.DateTimeField(_("oppdatert"), auto_now=True)

    class Meta:
        verbose_name = _("Office 365-hendelse")
        verbose_name_plural = _("Office 365-hendelser")

    def __str__(self) -> str:
        return self.key
