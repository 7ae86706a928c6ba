"""Models of the Timeplan domain.

A school's timetable for a school year lives in *versions* (``TimetableVersion``): a draft that is built and solved,
the published one everyone reads, and date-limited variants (an exam week) that override the published version on
their dates. Each version owns its week (``Period``: clock times, breaks), its lesson requirements
(``Requirement``: subject, group, teachers, hours a week, double lessons, room type, parallel block), the teachers'
frames and unavailable times, and the placed ``Lesson`` rows the generator or a person wrote. Rooms belong to the
school. Classes, teaching groups and teachers are the kernel's ``OrgUnit`` and ``Employee``; the school app's
school year is referred to by id (domain apps hold no foreign keys into each other).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import OrgUnit
from oas.people.models import Employee

DAY_NAMES = (_("mandag"), _("tirsdag"), _("onsdag"), _("torsdag"), _("fredag"), _("lørdag"), _("søndag"))


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    PUBLISHED = "published", _("Publisert")
    ARCHIVED = "archived", _("Arkivert")


class TimetableVersion(models.Model):
    """One version of a school's timetable for a school year (draft, published or a date-limited variant)."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="timetable_versions")
    school_year_id = models.IntegerField(_("skoleår (id)"))
    school_year_name = models.CharField(_("skoleår"), max_length=20, blank=True)
    name = models.CharField(_("navn"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    valid_from = models.DateField(_("gjelder fra"))
    valid_to = models.DateField(_("gjelder til"))
    # A variant (eksamensuke) replaces the main version on its own dates only.
    is_variant = models.BooleanField(_("variant for en periode"), default=False)
    copied_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies")
    days_per_week = models.PositiveSmallIntegerField(_("skoledager i uken"), default=5)
    period_minutes = models.PositiveSmallIntegerField(_("minutter per time"), default=60)
    weeks_per_year = models.PositiveSmallIntegerField(_("skoleuker i året"), default=38)
    # Soft-constraint weights the school sets (0 = ignore).
    weight_teacher_gaps = models.PositiveSmallIntegerField(_("vekt: hull for lærere"), default=3)
    weight_spread = models.PositiveSmallIntegerField(_("vekt: samme fag flere ganger samme dag"), default=2)
    weight_late = models.PositiveSmallIntegerField(_("vekt: sene timer"), default=1)
    weight_free_day = models.PositiveSmallIntegerField(_("vekt: ønsket fridag"), default=2)
    created_at = models.DateTimeField(_("opprettet"))
    created_by_user_id = models.IntegerField(null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    # A version imported from a FET or XHSTT file: what came in and what did not match the school's data.
    import_report = models.JSONField(_("importrapport"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeplanversjon")
        verbose_name_plural = _("timeplanversjoner")
        ordering = ["school", "-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="ttversion_valid_period"),
            models.CheckConstraint(condition=Q(days_per_week__gte=1, days_per_week__lte=7), name="ttversion_days_1_7"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class PeriodKind(models.TextChoices):
    LESSON = "lesson", _("Undervisningstime")
    BREAK = "break", _("Friminutt/pause")


class Period(models.Model):
    """A period of the school day (the same every day): a lesson slot or a break, with clock times."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="periods")
    position = models.PositiveSmallIntegerField(_("rekkefølge"))
    kind = models.CharField(_("type"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.LESSON)
    label = models.CharField(_("navn"), max_length=40, blank=True)
    start_time = models.TimeField(_("fra"))
    end_time = models.TimeField(_("til"))
    # A lesson period marked late is penalised by the "sene timer" weight.
    late = models.BooleanField(_("sen time"), default=False)

    class Meta:
        verbose_name = _("time i dagen")
        verbose_name_plural = _("timer i dagen")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="period_unique_position"),
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="period_valid_times"),
        ]

    def __str__(self) -> str:
        return f"{self.label or self.position} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class RoomKind(models.TextChoices):
    CLASSROOM = "classroom", _("Klasserom")
    GYM = "gym", _("Gymsal")
    SCIENCE = "science", _("Naturfagrom")
    KITCHEN = "kitchen", _("Skolekjøkken")
    MUSIC = "music", _("Musikkrom")
    ART = "art", _("Kunst- og håndverksrom")
    POOL = "pool", _("Svømmehall")


class Room(models.Model):
    """A room of a school; a shared pool or hall is a room with the slots the school has been given."""

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="timetable_rooms")
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("navn"), max_length=120)
    kind = models.CharField(_("romtype"), max_length=12, choices=RoomKind.choices, default=RoomKind.CLASSROOM)
    capacity = models.PositiveSmallIntegerField(_("plasser"), default=30)
    shared = models.BooleanField(_("delt med andre skoler"), default=False)

    class Meta:
        verbose_name = _("rom")
        verbose_name_plural = _("rom")
        ordering = ["school", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="room_unique_code")]

    def __str__(self) -> str:
        return self.name


class ParallelBlock(models.Model):
    """Lessons that take place at the same time across classes (valgfag, språkfag)."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="blocks")
    name = models.CharField(_("navn"), max_length=120)

    class Meta:
        verbose_name = _("parallell blokk")
        verbose_name_plural = _("parallelle blokker")
        ordering = ["version", "name"]

    def __str__(self) -> str:
        return self.name


class Requirement(models.Model):
    """A lesson requirement: a subject for a class or teaching group, its teachers, hours a week and lengths."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="requirements")
    subject_code = models.CharField(_("fagkode"), max_length=20)
    subject_name = models.CharField(_("fag"), max_length=200)
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="timetable_requirements")
    # The classes whose pupils attend (a clash for any of them is a clash for the pupils).
    classes = models.ManyToManyField(OrgUnit, related_name="timetable_class_requirements", verbose_name=_("klasser"))
    teachers = models.ManyToManyField(Employee, related_name="timetable_requirements", verbose_name=_("lærere"))
    hours_per_week = models.PositiveSmallIntegerField(_("timer per uke"))
    double_lessons = models.PositiveSmallIntegerField(_("dobbelttimer per uke"), default=0)
    max_per_day = models.PositiveSmallIntegerField(_("maks timer per dag"), default=2)
    room_kind = models.CharField(_("romtype"), max_length=12, choices=RoomKind.choices, blank=True)
    block = models.ForeignKey(
        ParallelBlock, null=True, blank=True, on_delete=models.SET_NULL, related_name="requirements"
    )

    class Meta:
        verbose_name = _("timekrav")
        verbose_name_plural = _("timekrav")
        ordering = ["version", "group__grade", "group__name", "subject_code"]
        constraints = [
            models.CheckConstraint(condition=Q(hours_per_week__gte=1), name="requirement_hours_positive"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=F("double_lessons") * 2), name="requirement_doubles_fit"
            ),
            models.CheckConstraint(condition=Q(max_per_day__gte=1), name="requirement_max_per_day_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.group_id}"

    @property
    def lengths(self) -> list[int]:
        """The lessons' lengths in periods: the double lessons first, then singles."""
        return [2] * self.double_lessons + [1] * (self.hours_per_week - 2 * self.double_lessons)


class TeacherFrame(models.Model):
    """A teacher's position and teaching frame (undervisningsramme) in a version, and a preferred free day."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="frames")
    teacher = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="timetable_frames")
    position_percent = models.PositiveSmallIntegerField(_("stillingsprosent"), default=100)
    frame_hours = models.PositiveSmallIntegerField(_("undervisningsramme (timer per uke)"))
    preferred_free_day = models.PositiveSmallIntegerField(_("ønsket fridag (0 = mandag)"), null=True, blank=True)
    subject_codes = models.CharField(_("kompetanse (fagkoder, kommaseparert)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lærerramme")
        verbose_name_plural = _("lærerrammer")
        constraints = [models.UniqueConstraint(fields=["version", "teacher"], name="frame_unique_teacher")]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.frame_hours}"


class Unavailability(models.Model):
    """A time a teacher cannot teach or a room cannot be used (a whole day when ``position`` is empty)."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="unavailable")
    teacher = models.ForeignKey(Employee, null=True, blank=True, on_delete=models.CASCADE)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE)
    day = models.PositiveSmallIntegerField(_("dag (0 = mandag)"))
    position = models.PositiveSmallIntegerField(_("time (tom = hele dagen)"), null=True, blank=True)

    class Meta:
        verbose_name = _("utilgjengelig tid")
        verbose_name_plural = _("utilgjengelige tider")
        constraints = [
            models.CheckConstraint(
                condition=Q(teacher__isnull=False, room__isnull=True) | Q(teacher__isnull=True, room__isnull=False),
                name="unavailability_teacher_xor_room",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher_id or self.room_id} {self.day} {self.position}"


class Lesson(models.Model):
    """A placed lesson: one occurrence of a requirement on a day, starting at a period, in a room."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="lessons")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="lessons")
    day = models.PositiveSmallIntegerField(_("dag (0 = mandag)"))
    position = models.PositiveSmallIntegerField(_("første time"))
    length = models.PositiveSmallIntegerField(_("lengde (timer)"), default=1)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL)
    locked = models.BooleanField(_("låst"), default=False)

    class Meta:
        verbose_name = _("time")
        verbose_name_plural = _("timer")
        ordering = ["version", "day", "position"]
        indexes = [models.Index(fields=["version", "day", "position"])]
        constraints = [models.CheckConstraint(condition=Q(length__gte=1, length__lte=3), name="lesson_length_1_3")]

    def __str__(self) -> str:
        return f"{self.requirement_id} {self.day}/{self.position}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Kjører")
    DONE = "done", _("Ferdig")
    INFEASIBLE = "infeasible", _("Umulig")
    CANCELLED = "cancelled", _("Avbrutt")
    FAILED = "failed", _("Feilet")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class SolverRun(models.Model):
    """One run of the generator on a version: its seed, progress, result and (when impossible) the explanation."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    seed = models.IntegerField(_("frø"), default=0)
    time_limit_seconds = models.PositiveIntegerField(_("tidsgrense (sekunder)"), default=30)
    cancel_requested = models.BooleanField(default=False)
    solutions = models.PositiveIntegerField(_("løsninger funnet"), default=0)
    objective = models.IntegerField(_("kostnad"), null=True, blank=True)
    bound = models.IntegerField(_("nedre grense"), null=True, blank=True)
    elapsed_seconds = models.FloatField(_("sekunder"), default=0)
    # Requirement groups the user switched off for this run (keys as in the explanation).
    relaxed = models.JSONField(default=list, blank=True)
    # Impossible: [{"key": ..., "text": ...}] – the conflicting requirements in Norwegian.
    explanation = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField()
    created_by_user_id = models.IntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("generatorkjøring")
        verbose_name_plural = _("generatorkjøringer")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two runs on one version at once would overwrite each other's lessons.
            models.UniqueConstraint(
                fields=["version"], condition=Q(status__in=["queued", "running"]), name="solverrun_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.status}"


class LessonChange(models.Model):
    """A change to the lessons of a version: who did what when (move, swap, lock, generated)."""

    version = models.ForeignKey(TimetableVersion, on_delete=models.CASCADE, related_name="changes")
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(_("endring"), max_length=20)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    user_id = models.IntegerField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("endring i timeplanen")
        verbose_name_plural = _("endringer i timeplanen")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.version_id} {self.action} {self.at}"


class DayChange(models.Model):
    """A change to one lesson of the published timetable on one date: cancelled, another room, a substitute.

    Written by ``timetable.public.day_change_record`` (the substitutes module, the school's office). One row per
    lesson and date; recording again changes it and raises ``revision`` (the people affected are notified once per
    revision, Office 365 gets one change per revision).
    """

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="day_changes")
    date = models.DateField(_("dato"))
    cancelled = models.BooleanField(_("avlyst"), default=False)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="day_changes", verbose_name=_("nytt rom")
    )
    substitute = models.ForeignKey(
        Employee,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timetable_substitutions",
        verbose_name=_("vikar"),
    )
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by_user_id = models.IntegerField(null=True, blank=True)
    # Who has been told of the change (any revision): told again, once, when it is withdrawn.
    notified_guardian_ids = models.JSONField(default=list, blank=True)
    notified_staff_ids = models.JSONField(default=list, blank=True)
    # Set when a newly published version replaced the lesson's version and has no matching lesson: the office must
    # record the change again on the new timetable or withdraw it ("trenger oppfølging").
    needs_attention_version = models.ForeignKey(
        TimetableVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="day_changes_to_follow_up"
    )

    class Meta:
        verbose_name = _("dagsendring")
        verbose_name_plural = _("dagsendringer")
        ordering = ["date", "lesson__position"]
        constraints = [models.UniqueConstraint(fields=["lesson", "date"], name="daychange_unique_lesson_date")]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.date}"


class CalendarEntry(models.Model):
    """What OAS wants in one teacher's Office 365 calendar: a weekly lesson series, or one lesson on a date.

    A single event on a date is a substitute's lesson (``day_change`` set) or a *restored* lesson: Graph cannot bring
    back a cancelled occurrence of a series, so a lesson that goes as planned again on a date whose occurrence was
    cancelled (a withdrawn day change or variant) gets its own event (``day_change`` empty).

    The planned state the outbox rows were made from: publishing compares the published lessons with these rows and
    queues only the differences (``timetable.office365``). Graph's event ids live in ``integrations`` (by ``key``).
    """

    school = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="timetable_calendar_entries")
    teacher = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="timetable_calendar_entries")
    microsoft_user = models.CharField(max_length=200)
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    subject_code = models.CharField(max_length=20)
    day = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    # A single event on a date (a substitute's lesson), linked to its day change; empty for a weekly series.
    date = models.DateField(null=True, blank=True)
    day_change = models.ForeignKey(DayChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The lesson the series was last made from (day changes find the series through it).
    lesson = models.ForeignKey(Lesson, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # A series of a published date-limited variant (eksamensuke); empty for the main timetable's series and singles.
    variant = models.ForeignKey(
        TimetableVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="calendar_entries"
    )
    # A main series: the dates whose occurrence was cancelled because a variant applies then (ISO dates).
    hidden_dates = models.JSONField(default=list, blank=True)
    event = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("kalenderoppføring (Office 365)")
        verbose_name_plural = _("kalenderoppføringer (Office 365)")
        indexes = [models.Index(fields=["school", "active"]), models.Index(fields=["lesson"])]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"oas-timeplan-{self.pk}"
