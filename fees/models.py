"""Rates for parental payment, stored as data per period: national (Storting) and municipal.

The engine (``fees.engine``) never reads these models; ``fees.selectors.fee_rates_on`` turns the rows
in force on a date into plain dataclasses. Municipality data is seeded by ``manage.py seed_fee_rates``,
never by migrations.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.fields import NOT_PROVIDED
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import Municipality

from .engine import FirstChildRule, PriceZone, Proration, SfoPlaceKind, SiblingScope

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class _Period(Func):
    """``daterange(valid_from, valid_to, '[]')``; a NULL end is open."""

    function = "DATERANGE"
    output_field = DateRangeField()


def _period() -> _Period:
    return _Period("valid_from", "valid_to", Value("[]"))


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
NON_NEGATIVE = [MinValueValidator(Decimal(0))]
MONTH = [MinValueValidator(1), MaxValueValidator(12)]


def _enum_field(
    verbose_name: StrOrPromise,
    labels: dict[StrEnum, StrOrPromise],
    *,
    max_length: int,
    default: StrEnum | None = None,
) -> models.CharField[str, str]:
    """A text field whose choices are an engine enum's values with their labels (the engine owns the values)."""
    return models.CharField(
        verbose_name,
        max_length=max_length,
        choices=[(key.value, label) for key, label in labels.items()],
        default=NOT_PROVIDED if default is None else default.value,
    )


def refuse_if_locked(model: type[models.Model], pk: int | None) -> None:
    """Refuse to change rates that a committed invoicing run has used (``locked_at`` is set)."""
    if pk is not None and model._default_manager.filter(pk=pk, locked_at__isnull=False).exists():
        raise ValidationError(
            _(
                "Satsene er brukt i en godkjent fakturering og kan ikke endres. "
                "Legg inn nye satser fra en senere dato i stedet."
            ),
            code="rates_locked",
        )


class NationalFeeRates(models.Model):
    """Rates fixed by the Storting for a period (usually a barnehageår, 1 August – 31 July)."""

    label = models.CharField(_("periode"), max_length=20, help_text=_("For eksempel «2024/25»."))
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    max_price = models.DecimalField(
        _("maksimalpris per måned"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    max_price_low_centrality = models.DecimalField(
        _("maksimalpris, sentralitet 5–6"),
        null=True,
        blank=True,
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    max_price_tiltakssone = models.DecimalField(
        _("maksimalpris, tiltakssonen"), null=True, blank=True, max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    payments_per_year = models.PositiveSmallIntegerField(_("betalinger per år"), default=11, validators=MONTH)
    full_time_hours = models.DecimalField(
        _("timer per uke for heltidsplass"), max_digits=4, decimal_places=1, default=Decimal(41)
    )
    sibling_min_discount_child2 = models.DecimalField(
        _("minste søskenmoderasjon barn 2 (%)"), max_digits=5, decimal_places=2, default=Decimal(30), validators=PERCENT
    )
    sibling_min_discount_child3_plus = models.DecimalField(
        _("minste søskenmoderasjon barn 3+ (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=PERCENT,
    )
    reduced_fee_income_share = models.DecimalField(
        _("redusert betaling: andel av inntekt (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(6),
        validators=PERCENT,
    )
    reduced_fee_income_limit = models.DecimalField(
        _("inntektsgrense for redusert betaling"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    reduced_fee_sibling_share_child2 = models.DecimalField(
        _("redusert betaling: barn 2 betaler (%) av barn 1"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(70),
        validators=PERCENT,
    )
    reduced_fee_sibling_share_child3_plus = models.DecimalField(
        _("redusert betaling: barn 3+ betaler (%) av barn 1"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )
    core_hours_per_week = models.DecimalField(
        _("gratis kjernetid, timer per uke"), max_digits=4, decimal_places=1, default=Decimal(20)
    )
    core_hours_income_limit = models.DecimalField(
        _("inntektsgrense for gratis kjernetid"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    core_hours_min_age = models.PositiveSmallIntegerField(_("gratis kjernetid fra alder"), default=2)
    core_hours_max_age = models.PositiveSmallIntegerField(_("gratis kjernetid til og med alder"), default=5)
    sfo_free_hours_per_week = models.DecimalField(
        _("gratis SFO, timer per uke"), max_digits=4, decimal_places=1, default=Decimal(12)
    )
    sfo_free_hours_max_grade = models.PositiveSmallIntegerField(
        _("gratis SFO til og med trinn"), default=3, validators=[MaxValueValidator(7)]
    )
    verified = models.BooleanField(
        _("bekreftet mot kilde"),
        default=False,
        help_text=_("Av bare når satsene er kontrollert mot Stortingets vedtak eller Udir."),
    )
    sources = models.TextField(_("kilder"), blank=True)
    locked_at = models.DateTimeField(
        _("låst"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Satt når en fakturering er godkjent med disse satsene; de kan da ikke endres."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nasjonale satser")
        verbose_name_plural = _("nasjonale satser")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="nationalfeerates_valid_period",
            ),
            models.CheckConstraint(
                condition=Q(core_hours_min_age__lte=F("core_hours_max_age")), name="nationalfeerates_core_hours_ages"
            ),
            ExclusionConstraint(
                name="nationalfeerates_no_overlap",
                expressions=[(_period(), RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.valid_from}–{self.valid_to or ''})"

    def clean(self) -> None:
        refuse_if_locked(type(self), self.pk)
        # Checked here as a field error so the overlap constraint never sees an inverted range.
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Gyldig til kan ikke være før gyldig fra.")})


class MunicipalFeeRates(models.Model):
    """A municipality's prices for a period, and its choices where the law leaves them open."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="fee_rates", verbose_name=_("kommune")
    )
    label = models.CharField(_("periode"), max_length=20)
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    price_zone = _enum_field(
        _("maksprissone"),
        {
            PriceZone.ORDINARY: _("Ordinær maksimalpris"),
            PriceZone.LOW_CENTRALITY: _("Sentralitet 5–6 (lavere maksimalpris)"),
            PriceZone.TILTAKSSONE: _("Tiltakssonen"),
        },
        max_length=20,
        default=PriceZone.ORDINARY,
    )
    kindergarten_full_time_price = models.DecimalField(
        _("barnehage: pris for heltidsplass per måned"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    kindergarten_food_money = models.DecimalField(
        _("barnehage: kostpenger per måned (heltid)"),
        default=Decimal(0),
        max_digits=10,
        decimal_places=2,
        validators=NON_NEGATIVE,
    )
    kindergarten_sibling_discount_child2 = models.DecimalField(
        _("barnehage: søskenmoderasjon barn 2 (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(30),
        validators=PERCENT,
    )
    kindergarten_sibling_discount_child3_plus = models.DecimalField(
        _("barnehage: søskenmoderasjon barn 3+ (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=PERCENT,
    )
    kindergarten_payment_free_month = models.PositiveSmallIntegerField(
        _("barnehage: betalingsfri måned"), null=True, blank=True, default=7, validators=MONTH
    )
    sfo_food_money = models.DecimalField(
        _("SFO: kostpenger per måned"), default=Decimal(0), max_digits=10, decimal_places=2, validators=NON_NEGATIVE
    )
    sfo_sibling_discount_child2 = models.DecimalField(
        _("SFO: søskenmoderasjon barn 2 (%)"), max_digits=5, decimal_places=2, default=Decimal(30), validators=PERCENT
    )
    sfo_sibling_discount_child3_plus = models.DecimalField(
        _("SFO: søskenmoderasjon barn 3+ (%)"), max_digits=5, decimal_places=2, default=Decimal(50), validators=PERCENT
    )
    sfo_income_share = models.DecimalField(
        _("SFO: inntektsgradert tak (% av inntekt)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Tomt betyr ingen inntektsgradering i SFO."),
    )
    sfo_income_cap_max_grade = models.PositiveSmallIntegerField(
        _("SFO: inntektsgradering til og med trinn"), null=True, blank=True, validators=[MaxValueValidator(7)]
    )
    sfo_payments_per_year = models.PositiveSmallIntegerField(_("SFO: betalinger per år"), default=11, validators=MONTH)
    sfo_payment_free_month = models.PositiveSmallIntegerField(
        _("SFO: betalingsfri måned"), null=True, blank=True, default=7, validators=MONTH
    )
    first_child_rule = _enum_field(
        _("hvem regnes som barn 1"),
        {
            FirstChildRule.HIGHEST_PRICE: _("Barnet med høyest pris"),
            FirstChildRule.YOUNGEST: _("Yngste barn"),
            FirstChildRule.OLDEST: _("Eldste barn"),
        },
        max_length=20,
        default=FirstChildRule.HIGHEST_PRICE,
    )
    proration = _enum_field(
        _("start/slutt midt i måneden"),
        {Proration.CALENDAR_DAYS: _("Forholdsmessig etter kalenderdager"), Proration.FULL_MONTH: _("Hel måned")},
        max_length=20,
        default=Proration.CALENDAR_DAYS,
    )
    sibling_scope = _enum_field(
        _("søsken på tvers av barnehage og SFO"),
        {
            SiblingScope.COMBINED: _("Barnehage og SFO telles sammen"),
            SiblingScope.SEPARATE: _("Barnehage og SFO telles hver for seg"),
        },
        max_length=20,
        default=SiblingScope.COMBINED,
    )
    is_demo = models.BooleanField(_("demoverdier"), default=False)
    sources = models.TextField(_("kilder / vedtak"), blank=True)
    locked_at = models.DateTimeField(
        _("låst"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Satt når en fakturering er godkjent med disse satsene; de kan da ikke endres."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("kommunale satser")
        verbose_name_plural = _("kommunale satser")
        ordering = ["municipality", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="municipalfeerates_valid_period",
            ),
            models.CheckConstraint(
                condition=Q(kindergarten_sibling_discount_child2__gte=30)
                & Q(kindergarten_sibling_discount_child3_plus__gte=F("kindergarten_sibling_discount_child2")),
                name="municipalfeerates_kindergarten_sibling_minimum",
            ),
            ExclusionConstraint(
                name="municipalfeerates_no_overlap",
                expressions=[
                    # "=" on the column itself (btree_gist): validate_constraints() can then evaluate the
                    # constraint for one row; an expression over municipality_id compared it to every
                    # municipality and refused rates because another municipality had the same period.
                    ("municipality", RangeOperators.EQUAL),
                    (_period(), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality.name} {self.label}"

    def clean(self) -> None:
        refuse_if_locked(type(self), self.pk)
        # Checked here as a field error so the overlap constraint never sees an inverted range.
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("Gyldig til kan ikke være før gyldig fra.")})


class SfoPlaceTypeRate(models.Model):
    """A place type in the municipality's SFO and its monthly price for the period."""

    rates = models.ForeignKey(MunicipalFeeRates, on_delete=models.CASCADE, related_name="sfo_place_types")
    code = models.SlugField(_("kode"), max_length=30)
    name = models.CharField(_("navn"), max_length=100)
    kind = _enum_field(
        _("type"),
        {
            SfoPlaceKind.FULL: _("Heltid"),
            SfoPlaceKind.PART: _("Deltid"),
            SfoPlaceKind.HOURLY: _("Timeplass (pris per ukentlig time)"),
        },
        max_length=10,
    )
    weekly_hours = models.DecimalField(_("timer per uke"), max_digits=4, decimal_places=1, null=True, blank=True)
    monthly_price = models.DecimalField(_("pris per måned"), max_digits=10, decimal_places=2, validators=NON_NEGATIVE)

    class Meta:
        verbose_name = _("SFO-plasstype")
        verbose_name_plural = _("SFO-plasstyper")
        ordering = ["rates", "-monthly_price"]
        constraints = [
            models.UniqueConstraint(fields=["rates", "code"], name="sfoplacetyperate_code_unique"),
            models.CheckConstraint(
                condition=Q(kind=SfoPlaceKind.HOURLY.value) | Q(weekly_hours__gt=0),
                name="sfoplacetyperate_hours_for_fixed_places",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        refuse_if_locked(MunicipalFeeRates, self.rates_id)
