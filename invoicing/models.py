"""Invoicing: monthly runs and their lines (per child, payer, month and line type), payment splits, and the
reduced-fee / free-hours applications (redusert foreldrebetaling, gratis kjernetid) with their decisions."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oas.organisation.models import OrgUnit
from oas.people.models import Person


class RunState(models.TextChoices):
    RUNNING = "running", _("Kjører")
    FAILED = "failed", _("Stoppet")
    COMMITTED = "committed", _("Fakturert")


class InvoiceRun(models.Model):
    """One monthly invoicing run of a municipality; committed once, never changed after."""

    municipality_number = models.CharField(_("kommunenummer"), max_length=4)
    month = models.DateField(_("måned"), help_text=_("Første dag i måneden det faktureres for."))
    state = models.CharField(_("status"), max_length=10, choices=RunState.choices, default=RunState.RUNNING)
    started_at = models.DateTimeField(_("startet"))
    committed_at = models.DateTimeField(_("fakturert"), null=True, blank=True)
    error = models.TextField(_("feil"), blank=True)
    line_count = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    started_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("faktureringskjøring")
        verbose_name_plural = _("faktureringskjøringer")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["municipality_number", "month"], name="invoicerun_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="invoicerun_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_number} {self.month:%Y-%m} ({self.state})"


class LineType(models.TextChoices):
    FEE = "fee", _("Foreldrebetaling")
    FOOD = "food", _("Kostpenger")
    CORRECTION = "correction", _("Korreksjon")


class InvoiceLine(models.Model):
    """One line of the invoice basis; the unique key makes a resumed or repeated run insert nothing twice."""

    run = models.ForeignKey(InvoiceRun, on_delete=models.PROTECT, related_name="lines")
    month = models.DateField(_("fakturamåned"))
    period_month = models.DateField(_("gjelder måned"), help_text=_("Tidligere måned for korreksjoner."))
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invoice_lines")
    payer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="invoice_lines_paid")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    service = models.CharField(_("tjeneste"), max_length=20)
    line_type = models.CharField(_("linjetype"), max_length=12, choices=LineType.choices)
    segment = models.PositiveSmallIntegerField(
        _("del av måneden"),
        default=0,
        help_text=_("0 for en plass som er lik hele måneden; 1, 2, … for hver periode når plassen endres i måneden."),
    )
    period_start = models.DateField(_("periode fra og med"), null=True, blank=True)
    period_end = models.DateField(
        _("periode til og med"),
        null=True,
        blank=True,
        help_text=_("Dagene linjen gjelder; korreksjoner fordeles på dager mot det som er fakturert før."),
    )
    place = models.CharField(_("plass"), max_length=60, blank=True, help_text=_("For eksempel «60 %»."))
    share = models.DecimalField(_("andel"), max_digits=5, decimal_places=4, default=1)
    amount = models.DecimalField(_("beløp"), max_digits=10, decimal_places=2)
    description = models.CharField(_("tekst"), max_length=300)
    trace = models.JSONField(_("beregning"), default=list)

    class Meta:
        verbose_name = _("fakturalinje")
        verbose_name_plural = _("fakturalinjer")
        indexes = [models.Index(fields=["run"]), models.Index(fields=["child", "period_month"])]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "payer", "service", "month", "period_month", "line_type", "segment"],
                name="invoiceline_unique_segment_key",
            ),
            models.CheckConstraint(condition=Q(share__gt=0, share__lte=1), name="invoiceline_share_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.line_type} {self.amount}"


class PaymentSplit(models.Model):
    """The guardians asked to share the invoice (delt bosted): every guardian with foreldreansvar pays a share."""

    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="payment_splits")
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delt faktura")
        verbose_name_plural = _("delte fakturaer")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="paymentsplit_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(child)s fra %(date)s") % {"child": self.child_id, "date": self.valid_from}


class ApplicationKind(models.TextChoices):
    REDUCED_FEE = "reduced_fee", _("Redusert foreldrebetaling")
    FREE_HOURS = "free_hours", _("Gratis kjernetid / gratis timer")
    BOTH = "both", _("Begge deler")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Mottatt")
    APPROVED = "approved", _("Innvilget")
    REJECTED = "rejected", _("Avslått")


class FeeApplication(models.Model):
    """A household's application for reduced fee and/or free hours, with income documentation."""

    applicant = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="fee_applications")
    children = models.ManyToManyField(Person, related_name="fee_applications_for")
    kind = models.CharField(_("søknad om"), max_length=12, choices=ApplicationKind.choices)
    annual_income = models.DecimalField(_("samlet person- og kapitalinntekt"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("fra og med"))
    # A decision lasts for one barnehageår at most (1 August – 31 July): the household applies again each year.
    valid_to = models.DateField(_("til og med"))
    submitted_at = models.DateTimeField(_("mottatt"))
    attachment_name = models.CharField(_("dokumentasjon (filnavn)"), max_length=200)
    attachment_type = models.CharField(max_length=100)
    attachment_sha256 = models.CharField(max_length=64)
    attachment = models.BinaryField(_("dokumentasjon av inntekt"))
    status = models.CharField(
        _("status"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    decision_note = models.TextField(_("begrunnelse"), blank=True)
    letter_id = models.IntegerField(_("vedtaksbrev"), null=True, blank=True)
    archive_record_id = models.IntegerField(_("arkivpost"), null=True, blank=True)

    class Meta:
        verbose_name = _("søknad om redusert betaling")
        verbose_name_plural = _("søknader om redusert betaling")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(condition=Q(annual_income__gte=0), name="feeapplication_income_not_negative"),
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="feeapplication_valid_period"),
            models.CheckConstraint(
                condition=Q(valid_to__lte=F("valid_from") + dt.timedelta(days=366)),
                name="feeapplication_at_most_one_barnehageaar",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.applicant_id} ({self.status})"


class SplitRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Mottatt")
    APPROVED = "approved", _("Innvilget")
    REJECTED = "rejected", _("Avslått")


class PaymentSplitRequest(models.Model):
    """A guardian's request to split the invoice for a child with shared residence (delt bosted).

    The finance office approves it, which creates the ``PaymentSplit`` the monthly run uses.
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payment_split_requests")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="payment_split_requests_made")
    valid_from = models.DateField(_("delt fra måned"))
    reason = models.TextField(_("begrunnelse"), blank=True)
    submitted_at = models.DateTimeField(_("mottatt"))
    status = models.CharField(
        _("status"), max_length=10, choices=SplitRequestStatus.choices, default=SplitRequestStatus.SUBMITTED
    )
    decided_at = models.DateTimeField(_("avgjort"), null=True, blank=True)
    decided_by_user_id = models.IntegerField(null=True, blank=True)
    decision_note = models.TextField(_("begrunnelse for vedtak"), blank=True)
    split = models.OneToOneField(PaymentSplit, on_delete=models.PROTECT, null=True, blank=True, related_name="request")

    class Meta:
        verbose_name = _("søknad om delt faktura")
        verbose_name_plural = _("søknader om delt faktura")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"],
                condition=Q(status="submitted"),
                name="paymentsplitrequest_one_open_per_child",
            ),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="paymentsplitrequest_first_day"),
        ]

    def __str__(self) -> str:
        return gettext("delt faktura %(child)s fra %(date)s (%(status)s)") % {
            "child": self.child_id,
            "date": self.valid_from,
            "status": self.status,
        }


class ManualSibling(models.Model):
    """Two children the finance office registered as siblings in one household, by hand.

    Used where the register cannot show it: children with strengt fortrolig address have no address in
    Folkeregisteret, so the automatic grouping never finds their siblings (forskrift om foreldrebetaling:
    the sibling discount still applies). Always entered with a reason; every change is audited.
    """

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="manual_siblings_as_first")
    sibling = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="manual_siblings_as_second")
    valid_from = models.DateField(_("gyldig fra"))
    valid_to = models.DateField(_("gyldig til"), null=True, blank=True)
    reason = models.CharField(_("grunnlag"), max_length=500)
    registered_at = models.DateTimeField(_("registrert"))
    registered_by_user_id = models.IntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("manuelt registrerte søsken")
        verbose_name_plural = _("manuelt registrerte søsken")
        constraints = [
            # One row per pair, stored with the lower person id first.
            models.CheckConstraint(condition=Q(child__lt=F("sibling")), name="manualsibling_ordered_pair"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")), name="manualsibling_valid_period"
            ),
            models.UniqueConstraint(
                fields=["child", "sibling"], condition=Q(valid_to__isnull=True), name="manualsibling_one_open_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} ~ {self.sibling_id}"


class PaymentStatus(models.TextChoices):
    PAID = "paid", _("Betalt")
    PARTLY_PAID = "partly_paid", _("Delvis betalt")
    UNPAID = "unpaid", _("Ikke betalt")


class InvoicePayment(models.Model):
    """The ERP's payment status of one payer's invoice for one month (updated by the ERP's payment file)."""

    payer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("fakturamåned"))
    status = models.CharField(_("betalingsstatus"), max_length=12, choices=PaymentStatus.choices)
    amount_paid = models.DecimalField(_("innbetalt"), max_digits=12, decimal_places=2, default=0)
    paid_on = models.DateField(_("betalt dato"), null=True, blank=True)
    updated_at = models.DateTimeField(_("oppdatert"))
    source = models.CharField(_("fil fra økonomisystemet"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("innbetaling")
        verbose_name_plural = _("innbetalinger")
        constraints = [models.UniqueConstraint(fields=["payer", "month"], name="invoicepayment_one_per_payer_month")]

    def __str__(self) -> str:
        return f"{self.payer_id} {self.month:%Y-%m} {self.status}"
