"""Models of assessment (vurdering) in grunnskolen.

- ``HalfYearAssessment`` (halvårsvurdering, opplæringsforskrifta § 9-13): per pupil, teaching group and term; a
  grade 1–6 with a short comment from 8th grade, a written assessment below.
- ``FinalGrade`` (standpunktkarakter, § 9-16) in 10th grade, per teaching group; ``FinalGradeLock`` is the
  principal's lock of a group's final grades, which also publishes them (the appeal deadline runs from there).
- ``Appeal`` (klage, § 10-2) registered by a guardian against a final grade.
- ``Remark`` (anmerkning, § 10-7) from 8th grade; ``ConductMark`` (orden og oppførsel, §§ 9-4, 9-14) G/Ng/Lg
  proposed by the contact teacher.

Subjects and teaching groups belong to ``school``: rows keep the group's ``OrgUnit`` and a copy of the subject.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import OrgUnit
from oas.people.models import Person

GRADE_MIN, GRADE_MAX = 1, 6


class HalfYearAssessment(models.Model):
    """One pupil's halvårsvurdering in one teaching group and term."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="halfyear_assessments")
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="halfyear_assessments")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    subject_code = models.CharField(_("fagkode"), max_length=20)
    subject_name = models.CharField(_("fag"), max_length=200)
    period = models.CharField(_("halvår"), max_length=10)  # e.g. "2026H" (høst) or "2027V" (vår)
    grade = models.PositiveSmallIntegerField(_("karakter"), null=True, blank=True)
    comment = models.CharField(_("kommentar"), max_length=500, blank=True)
    written = models.TextField(_("skriftlig vurdering"), blank=True)
    entered_by_user_id = models.IntegerField(null=True, blank=True)
    entered_at = models.DateTimeField(_("registrert"))
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)

    class Meta:
        verbose_name = _("halvårsvurdering")
        verbose_name_plural = _("halvårsvurderinger")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "group", "period"], name="halfyear_unique_pupil_group_period"),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=GRADE_MIN, grade__lte=GRADE_MAX),
                name="halfyear_grade_1_6",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.subject_code} {self.period}"


class FinalGrade(models.Model):
    """A 10th-grader's standpunktkarakter in one teaching group."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="final_grades")
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="final_grades")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    subject_code = models.CharField(_("fagkode"), max_length=20)
    subject_name = models.CharField(_("fag"), max_length=200)
    grade = models.PositiveSmallIntegerField(_("karakter"))
    entered_by_user_id = models.IntegerField(null=True, blank=True)
    entered_at = models.DateTimeField(_("registrert"))
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)

    class Meta:
        verbose_name = _("standpunktkarakter")
        verbose_name_plural = _("standpunktkarakterer")
        constraints = [
            models.UniqueConstraint(fields=["pupil", "group"], name="finalgrade_unique_pupil_group"),
            models.CheckConstraint(condition=Q(grade__gte=GRADE_MIN, grade__lte=GRADE_MAX), name="finalgrade_1_6"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.subject_code} {self.grade}"


class FinalGradeLock(models.Model):
    """The principal's lock of a teaching group's final grades (after it, no grade may be entered or changed)."""

    group = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="final_grade_lock")
    locked_at = models.DateTimeField(_("låst"))
    locked_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("låst standpunkt")
        verbose_name_plural = _("låste standpunkt")

    def __str__(self) -> str:
        return f"{self.group_id} {self.locked_at:%Y-%m-%d}"


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registrert")
    CHANGED_BY_SCHOOL = "changed_by_school", _("Endret av skolen")
    FORWARDED = "forwarded", _("Sendt til statsforvalteren")
    DECIDED = "decided", _("Avgjort av statsforvalteren")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("Karakteren står")
    CHANGED = "changed", _("Ny karakter")


class Appeal(models.Model):
    """A guardian's appeal (klage) against a final grade, and its processing.

    The school assesses the appeal first: it changes the grade itself (``CHANGED_BY_SCHOOL``) or upholds it and
    forwards the appeal to the statsforvalter (``FORWARDED``), whose outcome is recorded (``DECIDED``). The guardian
    gets a letter at each end (SvarUt, archived).
    """

    final_grade = models.ForeignKey(FinalGrade, on_delete=models.PROTECT, related_name="appeals")
    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="grade_appeals")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("begrunnelse"))
    registered_at = models.DateTimeField(_("registrert"))
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.REGISTERED)
    original_grade = models.PositiveSmallIntegerField(_("opprinnelig karakter"), null=True, blank=True)
    school_assessment = models.TextField(_("skolens vurdering"), blank=True)
    school_assessed_at = models.DateTimeField(_("vurdert av skolen"), null=True, blank=True)
    school_assessed_by_user_id = models.IntegerField(null=True, blank=True)
    forwarded_at = models.DateTimeField(_("sendt til statsforvalteren"), null=True, blank=True)
    outcome = models.CharField(_("utfall"), max_length=10, choices=AppealOutcome.choices, blank=True)
    outcome_grade = models.PositiveSmallIntegerField(_("karakter etter klagen"), null=True, blank=True)
    outcome_note = models.TextField(_("merknad"), blank=True)
    outcome_at = models.DateTimeField(_("avgjort"), null=True, blank=True)

    class Meta:
        verbose_name = _("klage på karakter")
        verbose_name_plural = _("klager på karakter")
        constraints = [
            models.UniqueConstraint(fields=["final_grade", "guardian"], name="appeal_one_per_guardian"),
        ]

    def __str__(self) -> str:
        return f"{self.final_grade_id} {self.guardian_id}"


class RemarkKind(models.TextChoices):
    ORDEN = "orden", _("Orden")
    ATFERD = "atferd", _("Atferd")


class Remark(models.Model):
    """An anmerkning: a breach of the school's rules (ordensreglement), registered by a teacher."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="remarks")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="remarks")
    kind = models.CharField(_("type"), max_length=10, choices=RemarkKind.choices)
    text = models.CharField(_("beskrivelse"), max_length=500)
    day = models.DateField(_("dato"))
    registered_by_user_id = models.IntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(_("registrert"))

    class Meta:
        verbose_name = _("anmerkning")
        verbose_name_plural = _("anmerkninger")
        indexes = [models.Index(fields=["pupil", "day"])]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.day} {self.kind}"


class ConductGrade(models.TextChoices):
    G = "G", _("God (G)")
    NG = "NG", _("Nokså god (Ng)")
    LG = "LG", _("Lite god (Lg)")


class ConductMark(models.Model):
    """Orden og oppførsel for a term, proposed by the contact teacher, decided by the principal and then published."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="conduct_marks")
    klass = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="conduct_marks")
    period = models.CharField(_("halvår"), max_length=10)
    orden = models.CharField(_("orden"), max_length=2, choices=ConductGrade.choices)
    oppforsel = models.CharField(_("oppførsel"), max_length=2, choices=ConductGrade.choices)
    proposed_by_user_id = models.IntegerField(null=True, blank=True)
    proposed_at = models.DateTimeField(_("foreslått"))
    # The principal's decision (the proposal may be changed) and its publication to the guardians.
    decided_at = models.DateTimeField(_("vedtatt"), null=True, blank=True)
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)

    class Meta:
        verbose_name = _("orden og oppførsel")
        verbose_name_plural = _("orden og oppførsel")
        constraints = [models.UniqueConstraint(fields=["pupil", "period"], name="conduct_unique_pupil_period")]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.period} {self.orden}/{self.oppforsel}"


class CertificateBatch(models.Model):
    """The principal's run of leaving certificates (vitnemål, § 9-43) for the school's 10th-graders in a school year.

    One per school and school year: starting it again queues only the pupils still missing a certificate.
    """

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="certificate_batches")
    school_year = models.CharField(_("skoleår"), max_length=20)
    pupil_ids = models.JSONField(_("elever"), default=list)
    started_at = models.DateTimeField(_("startet"))
    started_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("vitnemålskjøring")
        verbose_name_plural = _("vitnemålskjøringer")
        constraints = [models.UniqueConstraint(fields=["school", "school_year"], name="certbatch_unique_school_year")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}"


class LeavingCertificate(models.Model):
    """One pupil's leaving certificate (vitnemål) as issued: what it shows, the PDF and its archive entry."""

    batch = models.ForeignKey(CertificateBatch, on_delete=models.PROTECT, related_name="certificates")
    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="leaving_certificates")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("skoleår"), max_length=20)
    content = models.JSONField(_("innhold"), default=dict)
    pdf = models.BinaryField(_("PDF"))
    issued_at = models.DateTimeField(_("utstedt"))
    archive_record_id = models.IntegerField(null=True, blank=True)
    # A grade changed after issue (an appeal, a late exam grade) gives a new version; the old one is kept, marked
    # replaced, and points at the version that replaced it. One current (not replaced) certificate per school year.
    version = models.PositiveSmallIntegerField(_("utgave"), default=1)
    replaced_at = models.DateTimeField(_("erstattet"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaces", verbose_name=_("erstattet av")
    )
    reissue_reason = models.CharField(_("grunn til ny utgave"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("vitnemål")
        verbose_name_plural = _("vitnemål")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_year"],
                condition=Q(replaced_at__isnull=True),
                name="certificate_one_current_per_pupil_year",
            ),
            models.UniqueConstraint(fields=["pupil", "school_year", "version"], name="certificate_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.school_year}"


class ExamForm(models.TextChoices):
    WRITTEN = "skriftlig", _("Skriftlig")
    ORAL = "muntlig", _("Muntlig")
    ORAL_PRACTICAL = "muntlig_praktisk", _("Muntlig-praktisk")


class ExamGrade(models.Model):
    """A 10th-grader's exam grade (eksamenskarakter, opplæringsforskrifta § 9-43) in one subject and exam form.

    The results come from the exam office; the school office registers them. A klage on an exam grade is decided
    outside the school: its outcome is registered here as a changed grade (``original_grade`` keeps the first).
    """

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exam_grades")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    school_year = models.CharField(_("skoleår"), max_length=20)
    subject_code = models.CharField(_("fagkode"), max_length=20)
    subject_name = models.CharField(_("fag"), max_length=200)
    form = models.CharField(_("eksamensform"), max_length=20, choices=ExamForm.choices)
    grade = models.PositiveSmallIntegerField(_("karakter"))
    original_grade = models.PositiveSmallIntegerField(_("karakter før klagen"), null=True, blank=True)
    changed_at = models.DateTimeField(_("endret etter klage"), null=True, blank=True)
    entered_by_user_id = models.IntegerField(null=True, blank=True)
    entered_at = models.DateTimeField(_("registrert"))

    class Meta:
        verbose_name = _("eksamenskarakter")
        verbose_name_plural = _("eksamenskarakterer")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "school_year", "subject_code", "form"], name="examgrade_unique_pupil_subject_form"
            ),
            models.CheckConstraint(condition=Q(grade__gte=GRADE_MIN, grade__lte=GRADE_MAX), name="examgrade_1_6"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.subject_code} {self.form} {self.grade}"


class WarningKind(models.TextChoices):
    ORDEN = "orden", _("Orden (fare for Ng eller Lg)")
    OPPFORSEL = "oppforsel", _("Oppførsel (fare for Ng eller Lg)")
    NO_GRADE = "no_grade", _("Fare for manglende vurderingsgrunnlag i et fag")


class WrittenWarning(models.Model):
    """A written warning (skriftlig varsel, opplæringsforskrifta § 9-7) sent to the guardians by letter.

    Before Nokså god or Lite god in orden or oppførsel, and before a pupil may get no grade in a subject for want of
    a basis for assessment. The letters are ``integrations`` letters (SvarUt); the first is archived.
    """

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="written_warnings")
    klass = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="written_warnings")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("halvår"), max_length=10)
    kind = models.CharField(_("type"), max_length=10, choices=WarningKind.choices)
    subject_name = models.CharField(_("fag"), max_length=200, blank=True)
    reason = models.TextField(_("begrunnelse"))
    letter_ids = models.JSONField(_("brev"), default=list)
    sent_at = models.DateTimeField(_("sendt"))
    sent_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("skriftlig varsel")
        verbose_name_plural = _("skriftlige varsler")
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "period", "kind", "subject_name"], name="warning_unique_pupil_period_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.period} {self.kind}"


class DevelopmentTalk(models.Model):
    """The notes of a development talk (utviklingssamtale, § 9-6) booked in a calendar parent-meeting slot."""

    slot_id = models.IntegerField(_("time i kalenderen"), unique=True)  # messaging's EventSlot (through public.py)
    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="development_talks")
    klass = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="development_talks")
    starts_at = models.DateTimeField(_("tidspunkt"))
    notes = models.TextField(_("referat"))
    written_by_user_id = models.IntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(_("oppdatert"))

    class Meta:
        verbose_name = _("utviklingssamtale")
        verbose_name_plural = _("utviklingssamtaler")

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.starts_at:%Y-%m-%d}"
