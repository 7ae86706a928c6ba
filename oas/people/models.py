"""People and how they are related: children, guardians, staff; who attends which unit.

Folkeregisteret is the source for persons and relations (see integrations/freg); ERP for employees.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, IntegerRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import OrgUnit
from oas.people.national_id import InvalidNationalId, parse_national_id


def validate_national_id(value: str) -> None:
    try:
        parse_national_id(value)
    except InvalidNationalId as exc:
        raise ValidationError(exc.message, code=exc.rule) from exc


class DateRange(Func):
    """``daterange(start, end, '[]')``; a NULL end is open (valid until further notice)."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _period(start: str, end: str) -> DateRange:
    return DateRange(start, end, Value("[]"))


class IdRange(Func):
    """``int8range(id, id, '[]')``: a one-point id range for GiST exclusion constraints without btree_gist.

    Do not use it in new constraints: Django's ``validate_constraints`` (``full_clean``) does not put the
    instance's value into the function, so the check compares against every row. Use ``(column, EQUAL)``
    on btree_gist (migration people/0002). Kept because migrations (people/0001, fees) still import it.
    """

    function = "INT8RANGE"
    output_field = IntegerRangeField()

    def __init__(self, column: str):
        super().__init__(column, column, Value("[]"))


class Adressebeskyttelse(models.TextChoices):
    """Address protection (FREG ``graderingsnivaa``)."""

    UGRADERT = "ugradert", _("Ugradert")
    KLIENTADRESSE = "klientadresse", _("Klientadresse")
    FORTROLIG = "fortrolig", _("Fortrolig")
    STRENGT_FORTROLIG = "strengtFortrolig", _("Strengt fortrolig")


PROTECTED_LEVELS = (Adressebeskyttelse.FORTROLIG, Adressebeskyttelse.STRENGT_FORTROLIG)


class PersonStatus(models.TextChoices):
    BOSATT = "bosatt", _("Bosatt")
    UTFLYTTET = "utflyttet", _("Utflyttet")
    DOED = "doed", _("Død")
    FORSVUNNET = "forsvunnet", _("Forsvunnet")
    OPPHOERT = "opphoert", _("Opphørt")
    IKKE_BOSATT = "ikkeBosatt", _("Ikke bosatt")
    MIDLERTIDIG = "midlertidig", _("Midlertidig")
    INAKTIV = "inaktiv", _("Inaktiv")
    AKTIV = "aktiv", _("Aktiv")
    FOEDSELSREGISTRERT = "foedselsregistrert", _("Fødselsregistrert")


class Sex(models.TextChoices):
    KVINNE = "kvinne", _("Kvinne")
    MANN = "mann", _("Mann")


class Person(models.Model):
    """A person known to the municipality: child, guardian, employee or contact."""

    national_id = models.CharField(
        _("fødselsnummer/D-nummer"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_national_id],
    )
    first_name = models.CharField(_("fornavn"), max_length=100)
    middle_name = models.CharField(_("mellomnavn"), max_length=100, blank=True)
    last_name = models.CharField(_("etternavn"), max_length=100)
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    sex = models.CharField(_("kjønn"), max_length=10, choices=Sex.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=PersonStatus.choices, default=PersonStatus.BOSATT)
    date_of_death = models.DateField(_("dødsdato"), null=True, blank=True)

    # Bostedsadresse (residential address). Empty for strengt fortrolig: FREG never gives it.
    street_address = models.CharField(_("adresse"), max_length=200, blank=True)
    unit_number = models.CharField(_("bruksenhetsnummer"), max_length=5, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    postal_place = models.CharField(_("poststed"), max_length=100, blank=True)
    municipality_number = models.CharField(_("bostedskommune"), max_length=4, blank=True)
    grunnkrets = models.PositiveIntegerField(_("grunnkrets"), null=True, blank=True)
    skolekrets = models.PositiveIntegerField(_("skolekrets"), null=True, blank=True)
    address_id = models.CharField(
        _("adresse-ID i matrikkelen"),
        max_length=40,
        blank=True,
        help_text=_("Brukes til å finne søsken på samme adresse."),
    )
    adressebeskyttelse = models.CharField(
        _("adressebeskyttelse"), max_length=20, choices=Adressebeskyttelse.choices, default=Adressebeskyttelse.UGRADERT
    )
    # Postadresse: for strengt fortrolig the open address administered by the authorities.
    postal_address = models.TextField(_("postadresse"), blank=True)

    phone = models.CharField(_("telefon"), max_length=20, blank=True)
    email = models.EmailField(_("e-post"), blank=True)

    freg_synced_at = models.DateTimeField(_("sist synkronisert med Folkeregisteret"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["last_name", "first_name"]), models.Index(fields=["address_id"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(adressebeskyttelse=Adressebeskyttelse.STRENGT_FORTROLIG)
                | Q(
                    street_address="",
                    unit_number="",
                    postal_code="",
                    postal_place="",
                    address_id="",
                    grunnkrets__isnull=True,
                    skolekrets__isnull=True,
                ),
                name="person_strengt_fortrolig_has_no_residential_address",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.middle_name, self.last_name) if part)

    @property
    def has_protected_address(self) -> bool:
        return self.adressebeskyttelse in PROTECTED_LEVELS


class RelationKind(models.TextChoices):
    GUARDIAN = "guardian", _("Foresatt med foreldreansvar")
    PARENT = "parent", _("Forelder uten foreldreansvar")
    FOSTER_PARENT = "foster_parent", _("Fosterforelder")
    PICKUP = "pickup", _("Hentende person")


class Foreldreansvar(models.TextChoices):
    """Kind of parental responsibility (FREG ``Foreldreansvar.ansvar``)."""

    FELLES = "felles", _("Felles")
    MOR = "mor", _("Mor alene")
    FAR = "far", _("Far alene")
    MEDMOR = "medmor", _("Medmor alene")
    ANDRE = "andre", _("Andre")


class ParentRole(models.TextChoices):
    MOR = "mor", _("Mor")
    FAR = "far", _("Far")
    MEDMOR = "medmor", _("Medmor")


class RelationSource(models.TextChoices):
    FREG = "freg", _("Folkeregisteret")
    MANUAL = "manual", _("Registrert manuelt")
    CHILD_WELFARE = "child_welfare", _("Barnevernet")


class PersonRelation(models.Model):
    """An adult's relation to a child over a period."""

    adult = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_as_adult")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relations_as_child")
    kind = models.CharField(_("relasjon"), max_length=20, choices=RelationKind.choices)
    foreldreansvar = models.CharField(_("foreldreansvar"), max_length=10, choices=Foreldreansvar.choices, blank=True)
    parent_role = models.CharField(_("foreldrerolle"), max_length=10, choices=ParentRole.choices, blank=True)
    # Derived from the register on every change of address, protection or custody
    # (``relations_lives_with_recompute``). For a strengt fortrolig child the register gives no address:
    # False for every adult until the office confirms who the child lives with (``child_lives_with_confirm``).
    lives_with_child = models.BooleanField(_("bor sammen med barnet"), default=True)
    lives_with_child_confirmed_at = models.DateTimeField(
        _("bosted bekreftet av kontoret"), null=True, blank=True, editable=False
    )
    lives_with_child_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("bosted bekreftet av"),
    )
    source = models.CharField(_("kilde"), max_length=20, choices=RelationSource.choices, default=RelationSource.FREG)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("relasjon")
        verbose_name_plural = _("relasjoner")
        indexes = [models.Index(fields=["adult", "kind"]), models.Index(fields=["child", "kind"])]
        constraints = [
            models.CheckConstraint(condition=~Q(adult=F("child")), name="relation_not_self"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="relation_valid_period"
            ),
            models.CheckConstraint(
                condition=(Q(kind=RelationKind.GUARDIAN) & ~Q(foreldreansvar=""))
                | (~Q(kind=RelationKind.GUARDIAN) & Q(foreldreansvar="")),
                name="relation_foreldreansvar_iff_guardian",
            ),
            *[
                ExclusionConstraint(
                    name=f"relation_no_overlap_{kind}",
                    expressions=[
                        ("adult", RangeOperators.EQUAL),
                        ("child", RangeOperators.EQUAL),
                        (_period("valid_from", "valid_to"), RangeOperators.OVERLAPS),
                    ],
                    condition=Q(kind=kind),
                    violation_error_code="relation_overlap",
                    violation_error_message=_("Den voksne har allerede denne relasjonen til barnet i perioden."),
                )
                for kind in RelationKind.values
            ],
        ]

    def __str__(self) -> str:
        return f"{self.adult_id} → {self.child_id} ({self.kind})"


class DeltBosted(models.Model):
    """Shared residence: the child's second home under a contract (FREG ``deltBosted``)."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="delt_bosted")
    street_address = models.CharField(_("adresse"), max_length=200, blank=True)
    unit_number = models.CharField(_("bruksenhetsnummer"), max_length=5, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    postal_place = models.CharField(_("poststed"), max_length=100, blank=True)
    address_id = models.CharField(max_length=40, blank=True)
    valid_from = models.DateField(_("startdato for kontrakt"))
    valid_to = models.DateField(_("sluttdato for kontrakt"), null=True, blank=True)

    class Meta:
        verbose_name = _("delt bosted")
        verbose_name_plural = _("delt bosted")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="deltbosted_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return gettext("delt bosted %(child)s fra %(date)s") % {"child": self.child_id, "date": self.valid_from}


class Employee(models.Model):
    """Staff master data from the ERP; roles are derived from employments (issue "Identity…")."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="employee")
    employee_number = models.CharField(_("ansattnummer"), max_length=40, unique=True)
    email = models.EmailField(_("e-post (jobb)"), blank=True, db_index=True)
    phone = models.CharField(_("telefon (jobb)"), max_length=20, blank=True)
    entra_object_id = models.CharField(_("Entra ID objekt-ID (oid)"), max_length=64, blank=True, db_index=True)
    feide_id = models.CharField(_("Feide-ID (userid_sec)"), max_length=200, blank=True, db_index=True)
    active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("ansatt")
        verbose_name_plural = _("ansatte")

    def __str__(self) -> str:
        return f"{self.employee_number}"


class Employment(models.Model):
    """A position in a unit over a period (stilling)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="employments")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="employments")
    external_id = models.CharField(_("ERP-ID"), max_length=60, unique=True, null=True, blank=True)
    position_code = models.CharField(_("stillingskode"), max_length=20)
    position_title = models.CharField(_("stillingstittel"), max_length=200, blank=True)
    percentage = models.DecimalField(_("stillingsprosent"), max_digits=5, decimal_places=2)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("arbeidsforhold")
        verbose_name_plural = _("arbeidsforhold")
        indexes = [models.Index(fields=["unit", "position_code"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="employment_valid_period"
            ),
            models.CheckConstraint(
                condition=Q(percentage__gt=0, percentage__lte=100), name="employment_percentage_0_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.position_code} {self.percentage}% @ {self.unit_id}"


class GroupRole(models.TextChoices):
    CONTACT_TEACHER = "contact_teacher", _("Kontaktlærer")
    GROUP_STAFF = "group_staff", _("Ansatt i gruppen")


class GroupAssignment(models.Model):
    """An employee's assignment to a group (class, department), e.g. as contact teacher."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="group_assignments")
    group = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="staff_assignments")
    role = models.CharField(_("rolle"), max_length=20, choices=GroupRole.choices)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)

    class Meta:
        verbose_name = _("gruppetilknytning")
        verbose_name_plural = _("gruppetilknytninger")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="groupassignment_valid_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.role} @ {self.group_id}"


class Service(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Barnehage")
    SCHOOL = "school", _("Skole")
    SFO = "sfo", _("SFO")


class Placement(models.Model):
    """Which unit (and group) a child attends over a period: the kernel's single source of truth.

    Domain apps keep their details (place size, hours, place type) in one-to-one models of their own.
    A child has at most one placement per service at any time (exclusion constraint).
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    service = models.CharField(_("tjeneste"), max_length=20, choices=Service.choices)
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="placements")
    group = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="group_placements", null=True, blank=True)
    start_date = models.DateField(_("startdato"))
    end_date = models.DateField(_("sluttdato"), null=True, blank=True)

    class Meta:
        verbose_name = _("plassering")
        verbose_name_plural = _("plasseringer")
        indexes = [models.Index(fields=["unit", "service"]), models.Index(fields=["group"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="placement_valid_period"
            ),
            *[
                ExclusionConstraint(
                    name=f"placement_no_overlap_{service}",
                    expressions=[
                        ("child", RangeOperators.EQUAL),
                        (_period("start_date", "end_date"), RangeOperators.OVERLAPS),
                    ],
                    condition=Q(service=service),
                    violation_error_code="placement_overlap",
                    violation_error_message=_("Barnet har allerede en plass i denne tjenesten i perioden."),
                )
                for service in Service.values
            ],
        ]

    def __str__(self) -> str:
        return f"{self.child_id} @ {self.unit_id} ({self.service})"
