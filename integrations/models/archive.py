"""Noark 5 archive references kept on our side: a saksmappe per child and case type, a journalpost per document."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oas.people.models import Person


class ArchiveCaseFile(models.Model):
    """The archive's saksmappe for one child and one case type (e.g. barnehageplass)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="archive_case_files")
    case_type = models.CharField(_("sakstype"), max_length=60)
    external_key = models.CharField(_("ekstern nøkkel"), max_length=200, unique=True)
    system_id = models.CharField(_("systemID i arkivet"), max_length=64, unique=True)
    mappe_id = models.CharField(_("mappeID"), max_length=40)
    saksaar = models.PositiveIntegerField(_("saksår"))
    sakssekvensnummer = models.PositiveIntegerField(_("sakssekvensnummer"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saksmappe i arkivet")
        verbose_name_plural = _("saksmapper i arkivet")
        constraints = [
            models.UniqueConstraint(fields=["child", "case_type"], name="archive_one_casefile_per_child_type")
        ]

    def __str__(self) -> str:
        return f"{self.mappe_id} ({self.case_type})"


class ArchiveRecordState(models.TextChoices):
    QUEUED = "queued", _("I kø")
    ARCHIVED = "archived", _("Arkivert")


class JournalpostType(models.TextChoices):
    INNGAAENDE = "I", _("Inngående dokument")
    UTGAAENDE = "U", _("Utgående dokument")


class ArchiveRecord(models.Model):
    """One document of one of our cases (``case_type`` + ``case_id``) archived as a journalpost."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="archive_records")
    case_type = models.CharField(_("sakstype"), max_length=60)
    case_id = models.CharField(_("sak-ID hos oss"), max_length=64)
    journalposttype = models.CharField(_("journalposttype"), max_length=1, choices=JournalpostType.choices)
    # Avsender (I) or mottaker (U), e.g. the guardian; archived with name and fødselsnummer, never an address.
    correspondent = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("korrespondansepart")
    )
    case_title = models.CharField(_("sakstittel"), max_length=200, help_text=_("F.eks. «Barnehageplass»."))
    title = models.CharField(_("tittel"), max_length=500)
    document_date = models.DateField(_("dokumentets dato"))
    filename = models.CharField(_("filnavn"), max_length=200)
    pdf = models.BinaryField(_("PDF"))
    idempotency_key = models.CharField(_("ekstern nøkkel"), max_length=200, unique=True)
    state = models.CharField(
        _("tilstand"), max_length=10, choices=ArchiveRecordState.choices, default=ArchiveRecordState.QUEUED
    )
    case_file = models.ForeignKey(
        ArchiveCaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )
    journalpost_system_id = models.CharField(_("journalpost systemID"), max_length=64, blank=True)
    journalaar = models.PositiveIntegerField(_("journalår"), null=True, blank=True)
    journalsekvensnummer = models.PositiveIntegerField(_("journalsekvensnummer"), null=True, blank=True)
    journalpostnummer = models.PositiveIntegerField(_("journalpostnummer"), null=True, blank=True)
    dokumentbeskrivelse_system_id = models.CharField(max_length=64, blank=True)
    dokumentobjekt_system_id = models.CharField(max_length=64, blank=True)
    archived_at = models.DateTimeField(_("arkivert"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("arkivert dokument")
        verbose_name_plural = _("arkiverte dokumenter")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case_type", "case_id"], name="archive_record_case")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="archived") | (Q(case_file__isnull=False) & ~Q(journalpost_system_id="")),
                name="archive_record_archived_has_refs",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_type}:{self.case_id} {self.journalposttype} ({self.state})"
