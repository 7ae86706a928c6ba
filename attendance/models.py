"""Attendance: absence reports per child (reach every unit the child attends), check-in/out events per unit.

An absence report belongs to the child, not to a unit: which units see it is derived from the kernel's
Placement on each day, so one "sykt barn" reaches the kindergarten, or the school and the SFO together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import Municipality, OrgUnit, OrgUnitKind
from oas.people.models import Person


class AbsenceKind(models.TextChoices):
    SICK = "sick", _("Sykt barn")
    PLANNED = "planned", _("Planlagt fravær")
    HOLIDAY = "holiday", _("Ferie/fri")
    OTHER = "other", _("Annet")


class AbsenceSource(models.TextChoices):
    GUARDIAN = "guardian", _("Foresatt")
    STAFF = "staff", _("Ansatt")


class AbsenceReport(models.Model):
    """One report of absence for a child over one or more days; ``end_date`` NULL means until further notice.

    ``source`` says who reported it: a guardian (the portal, the API) or staff on the krysseliste.
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="absence_reports")
    kind = models.CharField(_("type"), max_length=10, choices=AbsenceKind.choices)
    start_date = models.DateField(_("fra og med"))
    end_date = models.DateField(_("til og med"), null=True, blank=True)
    note = models.CharField(_("merknad"), max_length=300, blank=True)
    reported_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reported_by_user_id = models.IntegerField(null=True, blank=True)
    reported_at = models.DateTimeField(_("meldt"))
    source = models.CharField(
        _("meldt av"), max_length=10, choices=AbsenceSource.choices, default=AbsenceSource.GUARDIAN
    )
    cancelled_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    class Meta:
        verbose_name = _("fraværsmelding")
        verbose_name_plural = _("fraværsmeldinger")
        indexes = [models.Index(fields=["child", "start_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="absence_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.start_date}–{self.end_date or '…'}"

    def covers(self, day: dt.date) -> bool:
        return self.cancelled_at is None and self.start_date <= day and (self.end_date is None or day <= self.end_date)


class CheckKind(models.TextChoices):
    IN = "in", _("Kommet")
    OUT = "out", _("Gått hjem")


class AttendanceEvent(models.Model):
    """One tap on the krysseliste: a child checked in or out of a unit; ``key`` dedupes replays and double taps."""

    # Every tap writes each index: the (child, day) and (unit, day) indexes serve the foreign keys too (no single
    # column indexes), and ``key`` is unique by a constraint (the unique index; no LIKE index as unique=True adds).
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendance_events", db_index=False)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="attendance_events", db_index=False)
    day = models.DateField(_("dag"))
    kind = models.CharField(_("type"), max_length=3, choices=CheckKind.choices)
    at = models.DateTimeField(_("tidspunkt"))
    key = models.CharField(_("idempotensnøkkel"), max_length=64)
    user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("inn-/utkryssing")
        verbose_name_plural = _("inn-/utkryssinger")
        indexes = [models.Index(fields=["unit", "day"]), models.Index(fields=["child", "day"])]
        constraints = [models.UniqueConstraint(fields=["key"], name="attendanceevent_key_unique")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.kind} {self.unit_id} {self.at:%Y-%m-%d %H:%M}"


class ChildAttendanceInfo(models.Model):
    """What the krysseliste needs about a child beyond the registers: may the child walk home alone."""

    child = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="attendance_info")
    may_walk_home_alone = models.BooleanField(_("kan gå hjem alene"), default=False)
    note = models.CharField(_("merknad til henting"), max_length=300, blank=True)

    def __str__(self) -> str:
        return f"{self.child_id}"


class UnitAttendanceSettings(models.Model):
    """A unit's configured time by which expected children should be checked in or reported absent."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="attendance_settings")
    expected_by = models.TimeField(_("forventet innen"), default=dt.time(9, 30))
    notify_guardians = models.BooleanField(_("varsle foresatte"), default=True)

    def __str__(self) -> str:
        return f"{self.unit_id} {self.expected_by}"


class MissingArrival(models.Model):
    """A child expected today, not checked in by the unit's time and not reported absent (one per child/unit/day)."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="missing_arrivals")
    day = models.DateField(_("dag"))
    created_at = models.DateTimeField()
    guardians_notified = models.PositiveSmallIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("savnet barn")
        verbose_name_plural = _("savnede barn")
        constraints = [models.UniqueConstraint(fields=["child", "unit", "day"], name="missingarrival_once_per_day")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.unit_id} {self.day}"


class ClosingReason(models.TextChoices):
    PLANNING_DAY = "planning_day", _("Planleggingsdag")
    SUMMER = "summer", _("Sommerstengt")
    CHRISTMAS = "christmas", _("Julestengt")
    EASTER = "easter", _("Påskestengt")
    OTHER = "other", _("Annet")


class ClosingDay(models.Model):
    """Days a unit (with its departments and groups) or all units of a municipality, or of one kind, are closed.

    Either ``unit`` (that unit and everything under it) or ``municipality`` (every unit, or with ``unit_kind``
    only units of that kind and everything under them). Nobody is expected on such a day: the krysseliste says
    so and the missing-arrival check leaves the units alone. Public holidays come from the ``holidays`` package.
    """

    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closing_days",
        verbose_name=_("enhet"),
        help_text=_("Gjelder enheten og alle avdelinger/grupper under den."),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closing_days",
        verbose_name=_("kommune"),
        help_text=_("Gjelder alle enheter i kommunen (eller alle av typen under)."),
    )
    unit_kind = models.CharField(
        _("enhetstype"),
        max_length=20,
        choices=OrgUnitKind.choices,
        blank=True,
        help_text=_("Bare sammen med kommune: gjelder bare enheter av denne typen."),
    )
    start_date = models.DateField(_("fra og med"))
    end_date = models.DateField(_("til og med"), null=True, blank=True, help_text=_("Tom: bare én dag."))
    reason = models.CharField(_("årsak"), max_length=20, choices=ClosingReason.choices)
    description = models.CharField(_("beskrivelse"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("stengt dag")
        verbose_name_plural = _("stengte dager")
        ordering = ["start_date"]
        indexes = [models.Index(fields=["start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(municipality__isnull=True) & Q(unit_kind=""))
                | (Q(unit__isnull=True) & Q(municipality__isnull=False)),
                name="closingday_unit_or_municipality",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="closingday_valid_period"
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.municipality
        return f"{scope} {self.start_date}–{self.end_date or self.start_date} {self.get_reason_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.end_date is None:
            self.end_date = self.start_date
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if (self.unit_id is None) == (self.municipality_id is None):
            errors["unit"] = str(_("Velg enten en enhet eller en kommune."))
        if self.unit_id is not None and self.unit_kind:
            errors["unit_kind"] = str(_("Enhetstype brukes bare sammen med kommune."))
        if self.end_date is not None and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = str(_("Sluttdato kan ikke være før startdato."))
        if errors:
            raise DjangoValidationError(errors)

    @property
    def label(self) -> str:
        reason = str(self.get_reason_display())
        return f"{reason} – {self.description}" if self.description else reason
