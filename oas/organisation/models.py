"""Municipalities and the org-unit tree (sector office, schools, kindergartens, SFOs, groups)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    """A kommune. Mergers are data: a merged municipality points at its successor (``merged_into``)."""

    number = models.CharField(_("kommunenummer"), max_length=4)
    name = models.CharField(_("navn"), max_length=100)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        verbose_name=_("slått sammen til"),
    )

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["number", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["number", "valid_from"], name="municipality_number_period_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="municipality_valid_period"
            ),
            models.CheckConstraint(condition=Q(number__regex=r"^\d{4}$"), name="municipality_number_4_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class OrgUnitKind(models.TextChoices):
    SECTOR_OFFICE = "sector_office", _("Sektorkontor")
    SCHOOL = "school", _("Skole")
    KINDERGARTEN = "kindergarten", _("Barnehage")
    SFO = "sfo", _("SFO")
    DEPARTMENT = "department", _("Avdeling")
    CLASS = "class", _("Basisgruppe/klasse")
    GROUP = "group", _("Gruppe")


class Ownership(models.TextChoices):
    MUNICIPAL = "municipal", _("Kommunal")
    PRIVATE = "private", _("Privat")


class SchoolType(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinær grunnskole")
    SPECIAL = "special", _("Spesialskole")


# Which kinds of unit may sit directly under which. Groups may hang under any unit.
ALLOWED_PARENTS: dict[str, set[str | None]] = {
    OrgUnitKind.SECTOR_OFFICE: {None},
    OrgUnitKind.SCHOOL: {OrgUnitKind.SECTOR_OFFICE},
    OrgUnitKind.KINDERGARTEN: {OrgUnitKind.SECTOR_OFFICE},
    OrgUnitKind.SFO: {OrgUnitKind.SCHOOL},
    OrgUnitKind.DEPARTMENT: {OrgUnitKind.KINDERGARTEN},
    OrgUnitKind.CLASS: {OrgUnitKind.SCHOOL, OrgUnitKind.SFO},
    OrgUnitKind.GROUP: {
        OrgUnitKind.SECTOR_OFFICE,
        OrgUnitKind.SCHOOL,
        OrgUnitKind.KINDERGARTEN,
        OrgUnitKind.SFO,
        OrgUnitKind.DEPARTMENT,
        OrgUnitKind.CLASS,
    },
}


class OrgUnit(models.Model):
    """A node in a municipality's organisation tree.

    ``path`` is a materialised path of ids (``"/1/7/42/"``) so "this unit and everything under it" is one
    indexed prefix query — used by unit-scoped roles and list filters.
    """

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # db_index on a CharField also gives a varchar_pattern_ops index on PostgreSQL, used by startswith.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrgUnitKind.choices)
    code = models.CharField(_("kode"), max_length=40, unique=True, help_text=_("Stabil nøkkel brukt av integrasjoner."))
    name = models.CharField(_("navn"), max_length=200)
    ownership = models.CharField(_("eierform"), max_length=10, choices=Ownership.choices, default=Ownership.MUNICIPAL)
    organisation_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    coordinated_admission = models.BooleanField(
        _("deltar i samordnet opptak"), default=False, help_text=_("Barnehageloven § 17.")
    )
    school_type = models.CharField(_("skoletype"), max_length=10, choices=SchoolType.choices, blank=True)
    first_grade = models.PositiveSmallIntegerField(_("laveste trinn"), null=True, blank=True)
    last_grade = models.PositiveSmallIntegerField(_("høyeste trinn"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("trinn"), null=True, blank=True, help_text=_("For klasser."))
    min_age = models.PositiveSmallIntegerField(_("laveste alder"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("høyeste alder"), null=True, blank=True)
    skolekrets = models.PositiveIntegerField(_("skolekrets"), null=True, blank=True)
    street_address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    postal_place = models.CharField(_("poststed"), max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    # Where the unit belonged before a merger (Lillestrøm 2020: Skedsmo, Sørum, Fet): history as data.
    former_municipality = models.ForeignKey(
        Municipality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="former_units",
        verbose_name=_("tidligere kommune"),
    )

    class Meta:
        verbose_name = _("organisasjonsenhet")
        verbose_name_plural = _("organisasjonsenheter")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["municipality", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="orgunit_valid_period"
            ),
            models.CheckConstraint(
                condition=Q(organisation_number="") | Q(organisation_number__regex=r"^\d{9}$"),
                name="orgunit_orgnr_9_digits",
            ),
            models.CheckConstraint(
                condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=10), name="orgunit_grade_1_10"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_private(self) -> bool:
        return self.ownership == Ownership.PRIVATE
