"""Letters sent through SvarUt and every status change SvarUt reported for them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oas.people.models import Person


class LetterState(models.TextChoices):
    QUEUED = "queued", _("I kø")
    SENT = "sent", _("Sendt til SvarUt")
    DONE = "done", _("Ferdig (endelig status)")
    FAILED = "failed", _("Feilet")


class Letter(models.Model):
    """One letter (forsendelse) to one person. ``ekstern_referanse`` is the idempotency key SvarUt sees."""

    recipient = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="letters", verbose_name=_("mottaker"))
    title = models.CharField(_("tittel"), max_length=1000)
    template = models.CharField(_("mal"), max_length=200)
    case_ref = models.CharField(_("saksreferanse"), max_length=200, blank=True)
    ekstern_referanse = models.CharField(_("ekstern referanse"), max_length=100, unique=True)
    # The SvarUt ``Adresse`` exactly as sent; for protected addresses it never holds the residential address.
    mottaker = models.JSONField(_("mottaker (SvarUt-adresse)"), default=dict)
    # Set when the letter goes to an organisation (e.g. the municipality a pupil moves to, by its organisasjonsnummer
    # as SvarUt's digitalId) rather than to the person: ``recipient`` is then the person the letter concerns.
    organisation_number = models.CharField(_("mottakers organisasjonsnummer"), max_length=9, blank=True)
    kun_digital_levering = models.BooleanField(_("kun digital levering"), default=False)
    filename = models.CharField(_("filnavn"), max_length=226)
    pdf = models.BinaryField(_("PDF"))
    state = models.CharField(_("tilstand"), max_length=10, choices=LetterState.choices, default=LetterState.QUEUED)
    forsendelse_id = models.CharField(_("forsendelse-ID i SvarUt"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("SvarUt-status"), max_length=30, blank=True)
    status_changed_at = models.DateTimeField(_("status endret"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    next_poll_at = models.DateTimeField(_("neste statusoppslag"), null=True, blank=True)
    polls = models.PositiveIntegerField(_("antall statusoppslag"), default=0)
    last_error = models.TextField(_("siste feil"), blank=True)
    failure_handled_at = models.DateTimeField(_("feil behandlet"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("brev (SvarUt)")
        verbose_name_plural = _("brev (SvarUt)")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_poll_at"], name="letter_poll_due", condition=Q(state="sent")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "failed"]) | ~Q(forsendelse_id=""),
                name="letter_sent_has_forsendelse_id",
            ),
            models.CheckConstraint(
                condition=Q(organisation_number="") | Q(organisation_number__regex=r"^\d{9}$"),
                name="letter_organisation_number_9_digits",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ekstern_referanse} ({self.status or self.state})"


class LetterStatusChange(models.Model):
    """A status SvarUt reported for a letter; the history is kept, never rewritten."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(_("status"), max_length=30)
    changed_at = models.DateTimeField(_("endret (SvarUt)"))
    recorded_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    class Meta:
        verbose_name = _("statusendring")
        verbose_name_plural = _("statusendringer")
        ordering = ["letter", "changed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["letter", "status"], name="letter_status_once")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.status} {self.changed_at:%Y-%m-%d %H:%M}"
