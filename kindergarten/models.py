"""Models of the Barnehage domain: admission (opptak) rounds, applications, matching proposals, offers, appeals.

Placements themselves live in the kernel (``oas.people.models.Placement``); this app keeps their details.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import Municipality, OrgUnit
from oas.people.models import Person, Placement

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


class RoundKind(models.TextChoices):
    MAIN = "main", _("Hovedopptak")
    CONTINUOUS = "continuous", _("Løpende opptak")


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    OPEN = "open", _("Åpen for søknader")
    CLOSED = "closed", _("Søknadsfristen er ute")
    MATCHED = "matched", _("Forslag til tildeling")
    PUBLISHED = "published", _("Publisert")


class AgeGroup(models.TextChoices):
    SMALL = "0-2", _("0–2 år")
    BIG = "3-5", _("3–5 år")


class AdmissionRound(models.Model):
    """An admission round (opptak) of a municipality: the main round with its deadline, or a continuous one."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="admission_rounds")
    code = models.SlugField(_("kode"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=RoundKind.choices, default=RoundKind.MAIN)
    state = models.CharField(_("status"), max_length=20, choices=RoundState.choices, default=RoundState.DRAFT)
    application_deadline = models.DateField(_("søknadsfrist"))
    start_date = models.DateField(_("oppstart"), help_text=_("Første dag plassene i opptaket gjelder fra."))
    max_choices = models.PositiveSmallIntegerField(_("maks antall ønsker"), default=5)
    offer_deadline_days = models.PositiveSmallIntegerField(_("svarfrist på tilbud (dager)"), default=14)
    lottery_seed = models.CharField(
        _("loddtrekningsfrø"), max_length=64, help_text=_("Registreres slik at loddtrekningen kan etterprøves.")
    )
    matched_at = models.DateTimeField(_("tildeling kjørt"), null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("opptak")
        verbose_name_plural = _("opptak")
        ordering = ["-start_date", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(max_choices__gte=1, max_choices__lte=20), name="round_max_choices_1_20"),
            models.CheckConstraint(
                condition=Q(application_deadline__lte=F("start_date")), name="round_deadline_before_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    """Capacity of one kindergarten for one age group in one round (the matching's "programme")."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.CASCADE, related_name="programmes")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="admission_programmes")
    age_group = models.CharField(_("aldersgruppe"), max_length=3, choices=AgeGroup.choices)
    capacity = models.PositiveIntegerField(_("ledige plasser"))

    class Meta:
        verbose_name = _("kapasitet")
        verbose_name_plural = _("kapasiteter")
        constraints = [
            models.UniqueConstraint(fields=["round", "unit", "age_group"], name="programme_unique_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.age_group} ({self.capacity})"


class CriterionKind(models.TextChoices):
    """Admission criteria a unit ranks applicants by (opptakskriterier)."""

    DISABILITY = "disability", _("nedsatt funksjonsevne (barnehageloven § 18)")
    CHILD_WELFARE = "child_welfare", _("vedtak etter barnevernsloven (barnehageloven § 18)")
    MUNICIPAL = "municipal", _("kommunalt kriterium")
    SIBLING = "sibling", _("søsken i barnehagen")
    STAFF_CHILD = "staff_child", _("barn av ansatte")
    RIGHT_TO_PLACE = "right_to_place", _("rett til plass")
    AGE = "age", _("alder")


# § 18 children come first everywhere (forskrift om saksbehandlingsregler ved opptak § 2); the rest is the
# municipality's own order for its kindergartens.
STATUTORY_CRITERIA = (CriterionKind.DISABILITY, CriterionKind.CHILD_WELFARE)
# In municipal kindergartens children with the § 16 right go before every child without it, whatever else they
# meet (a late applicant with a sibling does not take the seat of a child with the right); among the children
# with the right, § 18 children come first. The municipality's guarantee then relies on these seats.
MUNICIPAL_CRITERIA = (
    CriterionKind.RIGHT_TO_PLACE,
    *STATUTORY_CRITERIA,
    CriterionKind.MUNICIPAL,
    CriterionKind.SIBLING,
    CriterionKind.AGE,
)


class UnitCriterion(models.Model):
    """One line of a private kindergarten's ordered admission criteria from its statutes (vedtekter)."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="admission_criteria")
    position = models.PositiveSmallIntegerField(_("rekkefølge"))
    kind = models.CharField(_("kriterium"), max_length=20, choices=CriterionKind.choices)

    class Meta:
        verbose_name = _("opptakskriterium")
        verbose_name_plural = _("opptakskriterier")
        ordering = ["unit", "position"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "position"], name="unitcriterion_position_unique"),
            models.UniqueConstraint(fields=["unit", "kind"], name="unitcriterion_kind_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.position}. {self.kind}"


class SizeKind(models.TextChoices):
    PERCENT = "percent", _("Prosent")
    DAYS = "days", _("Dager per uke")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Mottatt")
    WITHDRAWN = "withdrawn", _("Trukket")
    OFFERED = "offered", _("Tilbud sendt")
    ACCEPTED = "accepted", _("Takket ja")
    DECLINED = "declined", _("Takket nei")
    WAITING = "waiting", _("På venteliste")
    REFUSED = "refused", _("Avslått (skolealder eller elev)")


class Application(models.Model):
    """A guardian's application for a kindergarten place for a child in a round."""

    round = models.ForeignKey(AdmissionRound, on_delete=models.PROTECT, related_name="applications")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kindergarten_applications")
    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kindergarten_applications_made")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("mottatt"))
    wanted_start_date = models.DateField(_("ønsket oppstart"))
    size_kind = models.CharField(_("plasstype"), max_length=10, choices=SizeKind.choices, default=SizeKind.PERCENT)
    size_value = models.PositiveSmallIntegerField(_("plasstørrelse"), default=100)
    sibling_unit_ids = models.JSONField(
        _("søsken i barnehage"), default=list, blank=True, help_text=_("Funnet i registeret ved innsending.")
    )
    transfer_from = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bytte fra"),
        help_text=_("Barnehagen barnet allerede har plass i ved innsending: søknaden gjelder bytte."),
    )

    class Meta:
        verbose_name = _("søknad om barnehageplass")
        verbose_name_plural = _("søknader om barnehageplass")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "child"],
                condition=~Q(status=ApplicationStatus.WITHDRAWN),
                name="application_one_active_per_child_and_round",
            ),
            models.CheckConstraint(
                condition=(Q(size_kind=SizeKind.PERCENT) & Q(size_value__gte=10, size_value__lte=100))
                | (Q(size_kind=SizeKind.DAYS) & Q(size_value__gte=1, size_value__lte=5)),
                name="application_size_in_range",
            ),
        ]

    def __str__(self) -> str:
        return gettext("søknad %(id)s (%(child)s)") % {"id": self.pk, "child": self.child_id}


class ApplicationChoice(models.Model):
    """One ranked kindergarten wish (1 = first choice)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="choices")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("ønske nr."))

    class Meta:
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_unique"),
            models.UniqueConstraint(fields=["application", "unit"], name="choice_unit_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="choice_rank_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} #{self.rank} → {self.unit_id}"


class GroundKind(models.TextChoices):
    DISABILITY = "disability", _("Nedsatt funksjonsevne (§ 18)")
    CHILD_WELFARE = "child_welfare", _("Vedtak etter barnevernsloven (§ 18)")
    MUNICIPAL = "municipal", _("Kommunalt kriterium")


class PriorityGround(models.Model):
    """A priority ground claimed in an application; it counts only once staff have checked the documentation."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="grounds")
    kind = models.CharField(_("grunnlag"), max_length=20, choices=GroundKind.choices)
    description = models.TextField(_("beskrivelse"), blank=True)
    documentation_checked = models.BooleanField(_("dokumentasjon kontrollert"), default=False)
    checked_at = models.DateTimeField(_("kontrollert"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "kind"], name="ground_kind_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class Attachment(models.Model):
    """A document that supports a priority ground (PDF, JPEG or PNG, at most 10 MB)."""

    ground = models.ForeignKey(PriorityGround, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("filnavn"), max_length=200)
    content_type = models.CharField(_("filtype"), max_length=100)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField(_("innhold"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(size__lte=MAX_ATTACHMENT_BYTES), name="attachment_max_10mb"),
        ]

    def __str__(self) -> str:
        return self.filename


class AssignmentKind(models.TextChoices):
    CHOICE = "choice", _("Ett av ønskene")
    GUARANTEE = "guarantee", _("Nærmeste ledige plass (rett til plass)")
    NONE = "none", _("Ingen plass")


class Assignment(models.Model):
    """The matching's proposal for one application; staff may lock it before publishing."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="assignment")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("type"), max_length=20, choices=AssignmentKind.choices)
    choice_rank = models.PositiveSmallIntegerField(_("ønske nr."), null=True, blank=True)
    locked = models.BooleanField(_("låst av saksbehandler"), default=False)
    right_to_place = models.BooleanField(_("rett til plass"), default=False)
    explanation = models.TextField(_("begrunnelse"), blank=True)
    unit_approved_at = models.DateTimeField(
        _("godkjent av den private barnehagen"),
        null=True,
        blank=True,
        help_text=_("Private barnehager godkjenner forslaget for sine søkere før publisering."),
    )

    class Meta:
        verbose_name = _("tildelingsforslag")
        verbose_name_plural = _("tildelingsforslag")

    def __str__(self) -> str:
        return f"{self.application_id} → {self.programme_id} ({self.kind})"


class OfferStatus(models.TextChoices):
    PENDING = "pending", _("Venter på svar")
    ACCEPTED = "accepted", _("Takket ja")
    DECLINED = "declined", _("Takket nei")
    EXPIRED = "expired", _("Svarfristen gikk ut")
    SUPERSEDED = "superseded", _("Erstattet av et høyere ønske")


SEAT_TAKING_OFFER_STATUSES = (OfferStatus.PENDING, OfferStatus.ACCEPTED)


class Offer(models.Model):
    """An offer of a place (tilbud) with an answer deadline."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="offers")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(_("type"), max_length=20, choices=AssignmentKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.PENDING)
    start_date = models.DateField(_("oppstart"))
    deadline = models.DateField(_("svarfrist"))
    explanation = models.TextField(_("begrunnelse"), blank=True)
    created_at = models.DateTimeField(_("sendt"))
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    placement = models.OneToOneField(Placement, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("tilbud")
        verbose_name_plural = _("tilbud")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="pending"),
                name="offer_one_pending_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"tilbud {self.pk} ({self.status})"


class WaitingStatus(models.TextChoices):
    ACTIVE = "active", _("Venter")
    OFFERED = "offered", _("Fått tilbud")
    REMOVED = "removed", _("Fjernet")


class WaitingListEntry(models.Model):
    """A place on a programme's waiting list. Positions are fixed at publishing and never renumbered."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="waiting_list")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="waiting_entries")
    position = models.PositiveIntegerField(_("plass på ventelisten"))
    status = models.CharField(_("status"), max_length=10, choices=WaitingStatus.choices, default=WaitingStatus.ACTIVE)

    class Meta:
        verbose_name = _("venteliste")
        verbose_name_plural = _("ventelister")
        ordering = ["programme", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "application"], name="waiting_unique_application"),
            models.UniqueConstraint(fields=["programme", "position"], name="waiting_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} #{self.position}: {self.application_id}"


class KindergartenUnitDetail(models.Model):
    """Kindergarten details of a kernel org unit: the places it is approved for (godkjente plasser) per age group.

    Admission capacity is prefilled from these (``programmes_prefill``); the office adjusts it per round.
    """

    unit = models.OneToOneField(OrgUnit, on_delete=models.CASCADE, related_name="kindergarten_unit_detail")
    registered_places_small = models.PositiveIntegerField(_("godkjente plasser 0–2 år"), default=0)
    registered_places_big = models.PositiveIntegerField(_("godkjente plasser 3–5 år"), default=0)

    class Meta:
        verbose_name = _("godkjente plasser")
        verbose_name_plural = _("godkjente plasser")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.registered_places_small}+{self.registered_places_big}"

    def registered_places(self, *, age_group: str) -> int:
        """The approved places for one age group."""
        return self.registered_places_small if age_group == AgeGroup.SMALL else self.registered_places_big


class KindergartenPlacementDetail(models.Model):
    """Kindergarten details of a kernel placement (place size)."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="kindergarten_detail")
    size_kind = models.CharField(_("plasstype"), max_length=10, choices=SizeKind.choices)
    size_value = models.PositiveSmallIntegerField(_("plasstørrelse"))
    weekly_hours = models.DecimalField(
        _("avtalt oppholdstid per uke"), max_digits=4, decimal_places=1, null=True, blank=True
    )

    def __str__(self) -> str:
        return f"{self.placement_id}: {self.size_value} {self.size_kind}"


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registrert")
    UPHELD = "upheld", _("Medhold")
    REJECTED = "rejected", _("Ikke medhold")


class Appeal(models.Model):
    """A complaint (klage) about an admission decision (forskrift om saksbehandlingsregler ved opptak §§ 6–10)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="appeals")
    received_at = models.DateTimeField(_("mottatt"))
    reason = models.TextField(_("begrunnelse for klagen"))
    late = models.BooleanField(_("mottatt etter klagefristen"), default=False)
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.REGISTERED)
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decision_text = models.TextField(_("vedtak i klagesaken"), blank=True)
    # Medhold (upheld): the municipality changes its decision and offers the place the appeal asked for.
    offer = models.ForeignKey(
        "Offer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("nytt tilbud")
    )
    # Ikke medhold (rejected): the appeal goes on to the klageinstans (kommunal klagenemnd, forskrift § 8).
    forwarded_at = models.DateTimeField(_("sendt til klageinstansen"), null=True, blank=True)

    class Meta:
        verbose_name = _("klage")
        verbose_name_plural = _("klager")

    def __str__(self) -> str:
        return f"klage {self.pk} ({self.status})"


class DecisionLetter(models.Model):
    """The content of an admission decision (enkeltvedtak), waiting for the outbox to send and archive it.

    Sending (SvarUt) and archiving (Noark 5) belong to the integration backbone; until its ``letter_send``
    lands, letters stay here with ``sent_at`` empty (see ``kindergarten.letters``).
    """

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="letters")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="letters")
    appeal = models.ForeignKey(
        Appeal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters",
        help_text=_("Brevet gjelder utfallet av en klage (ny tildeling, eller oversendelse til klageinstansen)."),
    )
    recipient_ids = models.JSONField(_("mottakere (person-ID)"), default=list)
    title = models.CharField(_("tittel"), max_length=200)
    body = models.JSONField(_("innhold"))
    appeal_deadline = models.DateField(_("klagefrist"))
    created_at = models.DateTimeField(_("laget"))
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)

    class Meta:
        verbose_name = _("vedtaksbrev")
        verbose_name_plural = _("vedtaksbrev")

    def __str__(self) -> str:
        return self.title
