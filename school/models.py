"""Models of the Skole domain.

Classes (basisgrupper) are the kernel's ``OrgUnit`` of kind CLASS, a pupil's class is the group of their school
``Placement`` and the contact teacher is a kernel ``GroupAssignment``. A teaching group (undervisningsgruppe) is an
``OrgUnit`` of kind GROUP under the school with a ``TeachingGroup`` row naming its subject; its teachers are
``GroupAssignment`` rows (``group_staff``), so the access roles follow the assignment automatically. This app adds
what the kernel lacks: school years and terms, subjects, teaching-group memberships and lesson attendance.
"""

from __future__ import annotations

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Q, Value
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import DateRange, Employee, Person


class SchoolYear(models.Model):
    """A school year (skoleår) in a municipality, e.g. 2026–2027."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="school_years")
    name = models.CharField(_("navn"), max_length=20)
    start_date = models.DateField(_("første skoledag"))
    end_date = models.DateField(_("siste skoledag"))

    class Meta:
        verbose_name = _("skoleår")
        verbose_name_plural = _("skoleår")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "start_date"], name="schoolyear_unique_start"),
            models.CheckConstraint(condition=Q(end_date__gt=F("start_date")), name="schoolyear_valid_period"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """A term (halvår/termin) of a school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("navn"), max_length=40)
    start_date = models.DateField(_("fra og med"))
    end_date = models.DateField(_("til og med"))

    class Meta:
        verbose_name = _("termin")
        verbose_name_plural = _("terminer")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="term_valid_period"),
        ]

    def __str__(self) -> str:
        return f"{self.school_year} {self.name}"


class SubjectSource(models.TextChoices):
    SEED = "seed", _("Standardliste")
    GREP = "grep", _("Grep (Udir)")


class Subject(models.Model):
    """A subject (fag) with its Udir code; the seed list is replaced by the GREP register later."""

    code = models.CharField(_("fagkode"), max_length=20, unique=True)
    # The LK20 curriculum (læreplan) in Grep, e.g. NOR01-06; Grep's own identifiers replace the seed later.
    curriculum_code = models.CharField(_("læreplankode"), max_length=20, blank=True)
    name = models.CharField(_("navn"), max_length=200)
    source = models.CharField(_("kilde"), max_length=10, choices=SubjectSource.choices, default=SubjectSource.SEED)
    active = models.BooleanField(_("i bruk"), default=True)

    class Meta:
        verbose_name = _("fag")
        verbose_name_plural = _("fag")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TeachingGroup(models.Model):
    """An undervisningsgruppe: the org unit (kind GROUP under the school) taught in one subject."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="teaching_group")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="school_teaching_groups")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="teaching_groups")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="teaching_groups")

    class Meta:
        verbose_name = _("undervisningsgruppe")
        verbose_name_plural = _("undervisningsgrupper")

    def __str__(self) -> str:
        return str(self.unit_id)


class GroupMembership(models.Model):
    """A pupil's membership of a teaching group over a period (class membership is the school Placement)."""

    group = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="pupil_memberships")
    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_group_memberships")
    valid_from = models.DateField(_("fra og med"))
    valid_to = models.DateField(_("til og med"), null=True, blank=True)

    class Meta:
        verbose_name = _("gruppemedlemskap")
        verbose_name_plural = _("gruppemedlemskap")
        indexes = [models.Index(fields=["group", "valid_from"]), models.Index(fields=["pupil"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="membership_valid_period"
            ),
            models.UniqueConstraint(fields=["group", "pupil", "valid_from"], name="membership_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} @ {self.group_id}"


DAY_LESSON = 0  # lesson number 0: attendance for the whole day


class AttendanceRegistration(models.Model):
    """One registration of attendance for a class or teaching group: a lesson (1, 2, …) or the day (0)."""

    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="school_registrations")
    day = models.DateField(_("dato"))
    lesson = models.PositiveSmallIntegerField(_("time"), default=DAY_LESSON, help_text=_("0 betyr hele dagen."))
    registered_by_user_id = models.IntegerField(null=True, blank=True)
    registered_at = models.DateTimeField(_("registrert"))

    class Meta:
        verbose_name = _("fraværsregistrering")
        verbose_name_plural = _("fraværsregistreringer")
        constraints = [
            models.UniqueConstraint(fields=["group", "day", "lesson"], name="registration_unique_lesson"),
            models.CheckConstraint(condition=Q(lesson__lte=12), name="registration_lesson_0_12"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.day} {self.lesson}"


class AbsenceReason(models.TextChoices):
    SICK = "sick", _("Syk (meldt av foresatte)")
    PLANNED = "planned", _("Planlagt fravær (meldt av foresatte)")
    UNANNOUNCED = "unannounced", _("Ikke meldt")
    LEAVE = "leave", _("Permisjon (innvilget)")


class PupilAttendance(models.Model):
    """One pupil on one registration: present, or absent with a reason."""

    registration = models.ForeignKey(AttendanceRegistration, on_delete=models.CASCADE, related_name="rows")
    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_attendance")
    day = models.DateField(_("dato"))
    present = models.BooleanField(_("til stede"))
    reason = models.CharField(_("årsak"), max_length=20, choices=AbsenceReason.choices, blank=True)
    # attendance.AbsenceReport id (another app: an id, not a foreign key).
    absence_report_id = models.IntegerField(null=True, blank=True)
    guardians_notified = models.BooleanField(_("foresatte varslet"), default=False)
    # Documented absence (a doctor's note, …) may be left off the leaving certificate (§ 9-44, up to 10 days).
    documented = models.BooleanField(_("dokumentert"), default=False)

    class Meta:
        verbose_name = _("elevfravær")
        verbose_name_plural = _("elevfravær")
        indexes = [models.Index(fields=["pupil", "day"]), models.Index(fields=["day", "present"])]
        constraints = [
            models.UniqueConstraint(fields=["registration", "pupil"], name="pupilattendance_unique"),
            models.CheckConstraint(
                condition=Q(present=True, reason="") | Q(present=False) & ~Q(reason=""),
                name="pupilattendance_reason_iff_absent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.day} {'+' if self.present else '-'}"


class SchoolSettings(models.Model):
    """The municipality's school rules (one row per municipality; without a row the defaults apply)."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="school_settings")
    # Opplæringslova § 2-2: the municipality sets how much leave the principal may grant in a school year.
    leave_max_school_days = models.PositiveSmallIntegerField(_("permisjon: høyst skoledager per skoleår"), default=10)
    # A pupil whose absence this term reaches this share of registrations raises a task for the contact teacher.
    absence_threshold_percent = models.PositiveSmallIntegerField(_("fraværsgrense (prosent)"), default=10)
    # Skoleinnskriving: the 1st-grade classes (basisgrupper) are made so that none has more pupils than this.
    first_grade_max_class_size = models.PositiveSmallIntegerField(_("1. trinn: høyst elever per klasse"), default=28)

    class Meta:
        verbose_name = _("skoleinnstillinger")
        verbose_name_plural = _("skoleinnstillinger")
        constraints = [
            models.CheckConstraint(
                condition=Q(absence_threshold_percent__gte=1, absence_threshold_percent__lte=100),
                name="schoolsettings_threshold_1_100",
            ),
            models.CheckConstraint(
                condition=Q(first_grade_max_class_size__gte=1, first_grade_max_class_size__lte=40),
                name="schoolsettings_first_grade_size_1_40",
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality_id)


class Rollover(models.Model):
    """One school-year rollover (skoleårsskifte) of a municipality: run once, its counts kept."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="school_rollovers")
    from_year = models.OneToOneField(SchoolYear, on_delete=models.PROTECT, related_name="rollover")
    to_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="rolled_into")
    ran_at = models.DateTimeField(_("kjørt"))
    ran_by_user_id = models.IntegerField(null=True, blank=True)
    counts = models.JSONField(_("tall"), default=dict)

    class Meta:
        verbose_name = _("skoleårsskifte")
        verbose_name_plural = _("skoleårsskifter")

    def __str__(self) -> str:
        return f"{self.from_year} → {self.to_year}"


class ClassSuccession(models.Model):
    """Which class of the new school year a class of the old one became (2A from 1A; 8A at the lower secondary)."""

    rollover = models.ForeignKey(Rollover, on_delete=models.CASCADE, related_name="successions")
    old_class = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    new_class = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("klasseovergang")
        verbose_name_plural = _("klasseoverganger")
        constraints = [
            models.UniqueConstraint(fields=["old_class"], name="classsuccession_one_successor"),
        ]

    def __str__(self) -> str:
        return f"{self.old_class_id} → {self.new_class_id}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Venter på vedtak")
    GRANTED = "granted", _("Innvilget")
    REFUSED = "refused", _("Avslått")


class LeaveApplication(models.Model):
    """A guardian's application for leave (permisjon, opplæringslova § 2-2) and the principal's decision."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_leave_applications")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="leave_applications")
    applied_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("fra og med"))
    end_date = models.DateField(_("til og med"))
    school_days = models.PositiveSmallIntegerField(_("skoledager"))
    reason = models.TextField(_("begrunnelse"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    created_at = models.DateTimeField(_("søkt"))
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    decision_note = models.TextField(_("begrunnelse for vedtaket"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("permisjonssøknad")
        verbose_name_plural = _("permisjonssøknader")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["pupil", "start_date"]), models.Index(fields=["school", "status"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="leave_valid_period"),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.start_date}–{self.end_date}"


class EnrolmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Tildelt nærskolen")
    WISH_PENDING = "wish_pending", _("Ønske om annen skole behandles")
    WISH_GRANTED = "wish_granted", _("Ønske om annen skole innvilget")
    WISH_REFUSED = "wish_refused", _("Ønske om annen skole avslått")


class Enrolment(models.Model):
    """Skoleinnskriving: a child starting 1st grade, assigned to the school of their skolekrets (nærskole)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_enrolments")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="enrolments")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=EnrolmentStatus.choices, default="assigned")
    wished_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    wish_reason = models.TextField(_("begrunnelse for ønsket"), max_length=2000, blank=True)
    wished_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    decision_note = models.TextField(_("begrunnelse for vedtaket"), max_length=2000, blank=True)
    # Overgang barnehage–skole: the guardians' consent to the kindergarten sharing information with the school.
    transition_consent = models.BooleanField(_("samtykke til overføring fra barnehagen"), null=True, blank=True)
    consent_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"))

    class Meta:
        verbose_name = _("skoleinnskriving")
        verbose_name_plural = _("skoleinnskrivinger")
        constraints = [
            models.UniqueConstraint(fields=["child", "school_year"], name="enrolment_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} → {self.school_id}"


class MoveSource(models.TextChoices):
    OFFICE = "office", _("Skolekontoret")
    REGISTER = "register", _("Folkeregisteret")


class PupilMove(models.Model):
    """A pupil moving between schools during the year: the record follows; both schools get a task."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_moves")
    from_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    to_school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    day = models.DateField(_("fra og med"))
    created_at = models.DateTimeField()
    created_by_user_id = models.IntegerField(null=True, blank=True)
    from_done_at = models.DateTimeField(null=True, blank=True)
    to_done_at = models.DateTimeField(null=True, blank=True)
    # Moves found in Folkeregisteret's feed (the office's own moves have none): the placement is still to change,
    # so the old school's task ends it and the new school's task enrols the pupil. One move per feed event.
    source = models.CharField(_("kilde"), max_length=10, choices=MoveSource.choices, default=MoveSource.OFFICE)
    register_sequence = models.BigIntegerField(_("sekvensnummer i Folkeregisteret"), null=True, blank=True)
    # Moving out of the municipality: the old school sends the pupil record (elevmappen) to the new municipality
    # through SvarUt, once; the receiver is its organisasjonsnummer (never shown where the address is protected).
    record_sent_at = models.DateTimeField(_("elevmappe sendt"), null=True, blank=True)
    record_sent_by_user_id = models.IntegerField(null=True, blank=True)
    record_receiver_orgnr = models.CharField(_("elevmappe sendt til (organisasjonsnummer)"), max_length=9, blank=True)

    class Meta:
        verbose_name = _("elevflytting")
        verbose_name_plural = _("elevflyttinger")
        constraints = [
            models.CheckConstraint(
                condition=Q(from_school__isnull=False) | Q(to_school__isnull=False), name="pupilmove_has_a_school"
            ),
            models.UniqueConstraint(
                fields=["pupil", "register_sequence"],
                condition=Q(register_sequence__isnull=False),
                name="pupilmove_once_per_register_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id}: {self.from_school_id} → {self.to_school_id}"


class MunicipalityReceiver(models.Model):
    """A municipality a pupil record (elevmappe) can be sent to: its number and organisasjonsnummer for SvarUt.

    Kept by the administrators (the admin); a pupil moving to a municipality without a row cannot have the record
    sent until one is added (the office is told so).
    """

    number = models.CharField(_("kommunenummer"), max_length=4, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    organisation_number = models.CharField(_("organisasjonsnummer"), max_length=9)

    class Meta:
        verbose_name = _("mottakende kommune (elevmappe)")
        verbose_name_plural = _("mottakende kommuner (elevmappe)")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^\d{4}$"), name="municipalityreceiver_number_4_digits"),
            models.CheckConstraint(
                condition=Q(organisation_number__regex=r"^\d{9}$"), name="municipalityreceiver_orgnr_9_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


# ---------------------------------------------------------------------------------------------------------------
# Individually adapted education (individuelt tilrettelagd opplæring, opplæringslova §§ 11-6 to 11-11)
# ---------------------------------------------------------------------------------------------------------------


def _closed_period(start: str, end: str) -> DateRange:
    """``daterange(start, end, '[]')``: both ends included."""
    return DateRange(start, end, Value("[]"))


class AdaptedOrganisation(models.TextChoices):
    IN_CLASS = "in_class", _("I klassen")
    SMALL_GROUP = "small_group", _("I liten gruppe")
    ONE_TO_ONE = "one_to_one", _("Alene med lærer (en-til-en)")


class AdaptedDecisionStatus(models.TextChoices):
    ACTIVE = "active", _("Gjeldende")
    REPLACED = "replaced", _("Erstattet av nytt vedtak")
    ENDED = "ended", _("Avsluttet")


class ExpertAssessment(models.Model):
    """PPT's expert assessment (sakkunnig vurdering, § 11-8): an incoming document, archived as journalpost I."""

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_expert_assessments")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    received_date = models.DateField(_("mottatt"))
    summary = models.TextField(_("sammendrag"), max_length=4000)
    recommended_hours_per_year = models.PositiveSmallIntegerField(_("anbefalte timer per år"))
    document_name = models.CharField(_("filnavn"), max_length=200)
    document_sha256 = models.CharField(max_length=64)
    document = models.BinaryField(editable=False)
    registered_at = models.DateTimeField(_("registrert"))
    registered_by_user_id = models.IntegerField(null=True, blank=True)
    archive_record_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("sakkyndig vurdering")
        verbose_name_plural = _("sakkyndige vurderinger")
        ordering = ["-received_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recommended_hours_per_year__gte=1, recommended_hours_per_year__lte=1500),
                name="expertassessment_hours_1_1500",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.received_date}"


class AdaptedEducationDecision(models.Model):
    """The enkeltvedtak on individually adapted education (§ 11-7): hours, organisation, subjects, period, consent.

    At most one decision per pupil for any day: the database refuses an overlapping period (exclusion constraint)
    and ``adapted_decision_create`` says so first, with a clear message.
    """

    pupil = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="school_adapted_decisions")
    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(ExpertAssessment, on_delete=models.PROTECT, related_name="decisions")
    start_date = models.DateField(_("fra og med"))
    end_date = models.DateField(_("til og med"))
    hours_per_year = models.PositiveSmallIntegerField(_("timer per år"))
    hours_per_week = models.DecimalField(_("timer per uke"), max_digits=4, decimal_places=1)
    organisation = models.CharField(_("organisering"), max_length=20, choices=AdaptedOrganisation.choices)
    # The guardians' consent (§ 11-7 third paragraph: the decision needs the pupil's or guardians' consent).
    consent_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("samtykke fra"))
    consent_date = models.DateField(_("samtykke gitt"))
    reasons = models.TextField(_("begrunnelse"), max_length=4000)
    decided_at = models.DateTimeField(_("vedtatt"))
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    # A change (§ 11-7) is a new decision that replaces this one from a date: this one's ``end_date`` becomes the
    # day before, and ``decided_end_date`` keeps the end it was decided with. Ending it early does the same with
    # a reason. The old decision stays, marked replaced or ended.
    status = models.CharField(
        _("status"), max_length=10, choices=AdaptedDecisionStatus.choices, default=AdaptedDecisionStatus.ACTIVE
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("erstatter vedtak"),
    )
    decided_end_date = models.DateField(_("opprinnelig til og med"), null=True, blank=True)
    end_reason = models.TextField(_("grunn til avslutning"), max_length=4000, blank=True)
    ended_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    ended_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("vedtak om individuelt tilrettelagt opplæring")
        verbose_name_plural = _("vedtak om individuelt tilrettelagt opplæring")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="adapteddecision_valid_period"),
            models.CheckConstraint(
                condition=Q(hours_per_year__gte=1, hours_per_year__lte=1500), name="adapteddecision_hours_1_1500"
            ),
            models.CheckConstraint(
                condition=Q(hours_per_week__gt=0, hours_per_week__lte=40), name="adapteddecision_week_0_40"
            ),
            ExclusionConstraint(
                name="adapteddecision_no_overlap",
                expressions=[
                    ("pupil", RangeOperators.EQUAL),
                    (_closed_period("start_date", "end_date"), RangeOperators.OVERLAPS),
                ],
                violation_error_code="adapted_decision_overlap",
                violation_error_message=_(
                    "Eleven har allerede et vedtak om individuelt tilrettelagt opplæring i perioden."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil_id} {self.start_date}–{self.end_date}"


class AdaptedDecisionSubject(models.Model):
    """A subject the decision covers and the subject teacher it names (who may then read the pupil's IOP)."""

    decision = models.ForeignKey(AdaptedEducationDecision, on_delete=models.CASCADE, related_name="subjects")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    teacher = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="+", null=True, blank=True)

    class Meta:
        verbose_name = _("fag i vedtaket")
        verbose_name_plural = _("fag i vedtaket")
        constraints = [
            models.UniqueConstraint(fields=["decision", "subject"], name="adapteddecisionsubject_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.subject_id}"


class IndividualEducationPlan(models.Model):
    """The IOP (individuell opplæringsplan, § 11-10) for one subject of a decision: goals, content, organisation."""

    decision = models.ForeignKey(AdaptedEducationDecision, on_delete=models.CASCADE, related_name="plans")
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    goals = models.TextField(_("mål"), max_length=4000)
    content = models.TextField(_("innhold"), max_length=4000)
    organisation = models.TextField(_("organisering"), max_length=2000)
    version = models.PositiveIntegerField(default=1)
    written_by_user_id = models.IntegerField(null=True, blank=True)
    written_by_name = models.CharField(_("skrevet av"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("sist endret"))

    class Meta:
        verbose_name = _("individuell opplæringsplan")
        verbose_name_plural = _("individuelle opplæringsplaner")
        constraints = [
            models.UniqueConstraint(fields=["decision", "subject"], name="iop_one_per_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.subject_id}"


class IopEvaluation(models.Model):
    """The yearly written evaluation (årsrapport, § 11-11) of a decision's education in one school year."""

    decision = models.ForeignKey(AdaptedEducationDecision, on_delete=models.CASCADE, related_name="evaluations")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("evaluering"), max_length=6000)
    written_by_user_id = models.IntegerField(null=True, blank=True)
    written_by_name = models.CharField(_("skrevet av"), max_length=200, blank=True)
    written_at = models.DateTimeField(_("skrevet"))

    class Meta:
        verbose_name = _("årsrapport (IOP)")
        verbose_name_plural = _("årsrapporter (IOP)")
        constraints = [
            models.UniqueConstraint(fields=["decision", "school_year"], name="iopevaluation_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.school_year_id}"
