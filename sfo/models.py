"""Models of the SFO domain: SFO admission (the school's SFO as the only choice) and placement details."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Person, Placement


class SfoRoundState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    OPEN = "open", _("Åpen for søknader")
    CLOSED = "closed", _("Søknadsfristen er ute")
    MATCHED = "matched", _("Forslag til tildeling")
    PUBLISHED = "published", _("Publisert")


class SfoRound(models.Model):
    """An SFO admission round of a municipality (usually one per school year)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="sfo_rounds")
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    state = models.CharField(_("status"), max_length=20, choices=SfoRoundState.choices, default=SfoRoundState.DRAFT)
    application_deadline = models.DateField(_("søknadsfrist"))
    start_date = models.DateField(_("oppstart"))
    offer_deadline_days = models.PositiveSmallIntegerField(_("svarfrist på tilbud (dager)"), default=14)
    lottery_seed = models.CharField(_("loddtrekningsfrø"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SFO-opptak")
        verbose_name_plural = _("SFO-opptak")
        constraints = [
            models.CheckConstraint(
                condition=Q(application_deadline__lte=F("start_date")), name="sforound_deadline_before_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SfoCapacity(models.Model):
    """Places an SFO offers in a round."""

    round = models.ForeignKey(SfoRound, on_delete=models.CASCADE, related_name="capacities")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="sfo_capacities")
    capacity = models.PositiveIntegerField(_("ledige plasser"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="sfocapacity_unique_per_round")]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.capacity}"


class PlaceType(models.TextChoices):
    FULL = "full", _("Hel plass")
    PART = "part", _("Deltidsplass")
    HOURS = "hours", _("Timeplass")


class SfoApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Mottatt")
    WITHDRAWN = "withdrawn", _("Trukket")
    OFFERED = "offered", _("Tilbud sendt")
    ACCEPTED = "accepted", _("Takket ja")
    DECLINED = "declined", _("Takket nei")
    WAITING = "waiting", _("På venteliste")
    EXPIRED = "expired", _("Svarfristen gikk ut")


class SfoApplication(models.Model):
    """An application for a place in the SFO of the child's school, with the matching's outcome and the offer."""

    round = models.ForeignKey(SfoRound, on_delete=models.PROTECT, related_name="applications")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sfo_applications")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sfo_applications_made")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="sfo_applications")
    place_type = models.CharField(_("plasstype"), max_length=10, choices=PlaceType.choices)
    hours_per_week = models.PositiveSmallIntegerField(_("timer per uke"), null=True, blank=True)
    start_date = models.DateField(_("ønsket oppstart"))
    status = models.CharField(
        _("status"), max_length=20, choices=SfoApplicationStatus.choices, default=SfoApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("mottatt"))
    explanation = models.TextField(_("begrunnelse"), blank=True)
    waiting_position = models.PositiveIntegerField(_("plass på ventelisten"), null=True, blank=True)
    offer_deadline = models.DateField(_("svarfrist"), null=True, blank=True)
    placement = models.OneToOneField(Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("søknad om SFO-plass")
        verbose_name_plural = _("søknader om SFO-plass")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "child"],
                condition=~Q(status=SfoApplicationStatus.WITHDRAWN),
                name="sfoapplication_one_active_per_child_and_round",
            ),
            models.CheckConstraint(
                condition=(Q(place_type=PlaceType.HOURS) & Q(hours_per_week__gte=1, hours_per_week__lte=40))
                | (~Q(place_type=PlaceType.HOURS) & Q(hours_per_week__isnull=True)),
                name="sfoapplication_hours_iff_hour_place",
            ),
        ]

    def __str__(self) -> str:
        return gettext("SFO-søknad %(id)s (%(child)s)") % {"id": self.pk, "child": self.child_id}


class SfoPlacementDetail(models.Model):
    """SFO details of a kernel placement (place type and hours)."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="sfo_detail")
    place_type = models.CharField(_("plasstype"), max_length=10, choices=PlaceType.choices)
    hours_per_week = models.PositiveSmallIntegerField(_("timer per uke"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.place_type}"
