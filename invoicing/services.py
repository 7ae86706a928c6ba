"""Writes for invoicing: the monthly run (preview, commit, resume), corrections, payment splits, and the
reduced-fee / free-hours applications and their decisions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from fees.public import MissingRate, fee_rates_on
from integrations.outbox import outbox_enqueue
from invoicing.calculation import LineDraft, MonthBasis, month_basis
from invoicing.export import OUTBOX_KIND
from invoicing.models import (
    ApplicationKind,
    ApplicationStatus,
    FeeApplication,
    InvoiceLine,
    InvoiceRun,
    LineType,
    PaymentSplit,
    PaymentSplitRequest,
    RunState,
    SplitRequestStatus,
)
from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, ValidationError
from oas.people.models import Person, PersonRelation, RelationKind

# How many earlier committed months a run re-computes to find changes back in time (municipal setting).
CORRECTION_MONTHS = 3
CHUNK = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


def _first(month: dt.date) -> dt.date:
    return month.replace(day=1)


def _previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


@dataclass
class RunPreview:
    month: dt.date
    basis: MonthBasis
    corrections: list[tuple[dt.date, LineDraft]]

    @property
    def total(self) -> Decimal:
        return self.basis.total + sum((c.amount for _m, c in self.corrections), Decimal(0))

    @property
    def line_count(self) -> int:
        return len(self.basis.lines) + len(self.corrections)


def _corrections(*, municipality_number: str, month: dt.date) -> list[tuple[dt.date, LineDraft]]:
    """Re-compute earlier committed months; the difference to what was billed becomes a correction line."""
    out: list[tuple[dt.date, LineDraft]] = []
    earlier = InvoiceRun.objects.filter(
        municipality_number=municipality_number, state=RunState.COMMITTED, month__lt=month
    ).order_by("-month")[:CORRECTION_MONTHS]
    for run in earlier:
        period = run.month
        expected: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        units: dict[tuple[int, int, str], int | None] = {}
        for line in month_basis(municipality_number=municipality_number, month=period).lines:
            key = (line.child_id, line.payer_id, line.service)
            expected[key] += line.amount
            units[key] = line.unit_id
        billed: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        for child_id, payer_id, service, unit_id, amount in (
            InvoiceLine.objects.filter(period_month=period, run__municipality_number=municipality_number)
            .exclude(month=month)
            .values_list("child_id", "payer_id", "service", "unit_id")
            .annotate(total=Sum("amount"))
        ):
            billed[(child_id, payer_id, service)] += amount
            units.setdefault((child_id, payer_id, service), unit_id)
        for key in sorted(set(expected) | set(billed)):
            diff = expected.get(key, Decimal(0)) - billed.get(key, Decimal(0))
            if diff:
                child_id, payer_id, service = key
                out.append(
                    (
                        period,
                        LineDraft(
                            child_id=child_id,
                            payer_id=payer_id,
                            unit_id=units.get(key),
                            service=service,
                            line_type=LineType.CORRECTION,
                            share=Decimal(1),
                            amount=diff,
                            description=f"Korreksjon for {period:%m.%Y}",
                        ),
                    )
                )
    return out


def invoice_run_preview(*, municipality_number: str, month: dt.date) -> RunPreview:
    """Compute the month's lines and corrections without writing anything (dry run)."""
    month = _first(month)
    basis = month_basis(municipality_number=municipality_number, month=month)
    return RunPreview(
        month=month, basis=basis, corrections=_corrections(municipality_number=municipality_number, month=month)
    )


def _line(run: InvoiceRun, month: dt.date, period: dt.date, d: LineDraft) -> InvoiceLine:
    return InvoiceLine(
        run=run,
        month=month,
        period_month=period,
        child_id=d.child_id,
        payer_id=d.payer_id,
        unit_id=d.unit_id,
        service=d.service,
        line_type=d.line_type,
        segment=d.segment,
        share=d.share,
        amount=d.amount,
        description=d.description,
        trace=d.trace,
    )


def invoice_run_commit(*, municipality_number: str, month: dt.date, user_id: int | None = None) -> InvoiceRun:
    """Invoice a month: write its lines and corrections, then queue the ERP export.

    A committed month is returned unchanged. A run that stopped half-way is resumed: lines are written in
    chunks with ``ON CONFLICT DO NOTHING`` on (child, payer, service, month, period month, line type,
    ``segment``), so nothing is written twice. A missing rate stops the run, names the rate, and writes no lines.
    """
    month = _first(month)
    with transaction.atomic():
        run, _created = InvoiceRun.objects.select_for_update().get_or_create(
            municipality_number=municipality_number,
            month=month,
            defaults={"started_at": clock.now(), "started_by_user_id": user_id},
        )
        if run.state == RunState.COMMITTED:
            return run
        if run.state == RunState.FAILED:
            run.state, run.error = RunState.RUNNING, ""
            run.save(update_fields=["state", "error"])
    try:
        fee_rates_on(municipality_number=municipality_number, on=month)  # fail fast, before any line
        preview = invoice_run_preview(municipality_number=municipality_number, month=month)
    except MissingRate as exc:
        run.state, run.error = RunState.FAILED, exc.message
        run.save(update_fields=["state", "error"])
        audit_record(
            action=AuditAction.UPDATE,
            event="invoicing.run.missing_rate",
            object_type="invoicing.InvoiceRun",
            object_id=run.pk,
            details={"error": exc.message},
            user_id=user_id,
        )
        raise
    rows = [_line(run, month, month, d) for d in preview.basis.lines]
    rows += [_line(run, month, period, d) for period, d in preview.corrections]
    for start in range(0, len(rows), CHUNK):
        with transaction.atomic():
            InvoiceLine.objects.bulk_create(rows[start : start + CHUNK], ignore_conflicts=True)
    with transaction.atomic():
        run = InvoiceRun.objects.select_for_update().get(pk=run.pk)
        if run.state == RunState.COMMITTED:
            return run
        agg = InvoiceLine.objects.filter(run=run).aggregate(n=Sum(1), total=Sum("amount"))
        run.line_count = InvoiceLine.objects.filter(run=run).count()
        run.total = agg["total"] or Decimal(0)
        run.state = RunState.COMMITTED
        run.committed_at = clock.now()
        run.save(update_fields=["line_count", "total", "state", "committed_at"])
        outbox_enqueue(
            kind=OUTBOX_KIND,
            payload={"run_id": run.pk},
            idempotency_key=f"erp:fakturagrunnlag:{municipality_number}:{month:%Y-%m}",
        )
        audit_record(
            action=AuditAction.CREATE,
            event="invoicing.run.commit",
            object_type="invoicing.InvoiceRun",
            object_id=run.pk,
            details={"month": f"{month:%Y-%m}", "lines": run.line_count, "total": str(run.total)},
            user_id=user_id,
        )
    return run


def payment_split_set(*, child: Person, valid_from: dt.date, user_id: int | None = None) -> PaymentSplit:
    """Split a child's invoice between all guardians with foreldreansvar from ``valid_from`` (delt bosted)."""
    with transaction.atomic():
        split = PaymentSplit(child=child, valid_from=_first(valid_from))
        split.full_clean()
        split.save()
        audit_record(
            action=AuditAction.CREATE,
            event="invoicing.payment_split",
            person_ids=[child.pk],
            object_type="invoicing.PaymentSplit",
            object_id=split.pk,
            user_id=user_id,
        )
    return split


@dataclass(frozen=True)
class AttachmentIn:
    filename: str
    content_type: str
    content: bytes


def fee_application_submit(
    *,
    applicant: Person,
    child_ids: list[int],
    kind: str,
    annual_income: Decimal,
    valid_from: dt.date,
    attachment: AttachmentIn | None,
    allowed_child_ids: set[int],
) -> FeeApplication:
    """Register a household's application with income documentation (children must be the applicant's)."""
    errors: dict[str, list[str]] = {}
    if kind not in ApplicationKind.values:
        errors["kind"] = [_("Velg hva du søker om.")]
    if annual_income < 0:
        errors["annual_income"] = [_("Inntekten kan ikke være negativ.")]
    if not child_ids:
        errors["children"] = [_("Velg minst ett barn.")]
    elif not set(child_ids) <= allowed_child_ids:
        errors["children"] = [_("Du kan bare søke for barn du har foreldreansvar for.")]
    if attachment is None or not attachment.content:
        errors["attachment"] = [_("Legg ved dokumentasjon av inntekten (skattemelding eller lønnsslipper).")]
    elif attachment.content_type not in ATTACHMENT_TYPES or len(attachment.content) > MAX_ATTACHMENT_BYTES:
        errors["attachment"] = [_("Vedlegget må være PDF, JPEG eller PNG og høyst 10 MB.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    assert attachment is not None
    with transaction.atomic():
        application = FeeApplication(
            applicant=applicant,
            kind=kind,
            annual_income=annual_income,
            valid_from=_first(valid_from),
            submitted_at=clock.now(),
            attachment_name=attachment.filename[:200],
            attachment_type=attachment.content_type,
            attachment_sha256=hashlib.sha256(attachment.content).hexdigest(),
            attachment=attachment.content,
        )
        application.full_clean()
        application.save()
        application.children.set(child_ids)
        audit_record(
            action=AuditAction.CREATE,
            event="invoicing.application.submit",
            person_ids=[applicant.pk, *child_ids],
            object_type="invoicing.FeeApplication",
            object_id=application.pk,
        )
    return application


def fee_application_decide(
    *, application: FeeApplication, approve: bool, note: str = "", user_id: int | None = None
) -> FeeApplication:
    """Decide an application; the decision letter goes out via SvarUt and into the archive (outbox)."""
    from integrations.archive.services import archive_document
    from integrations.letters.services import letter_send
    from integrations.models import Letter

    if application.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(_("Søknaden er allerede avgjort."), code="already_decided")
    if not approve and not note.strip():
        raise ValidationError(_("Et avslag må begrunnes."), fields={"note": [_("Påkrevd ved avslag.")]})
    status = ApplicationStatus.APPROVED if approve else ApplicationStatus.REJECTED
    children = list(application.children.order_by("pk"))
    paragraphs = [
        _("Vi har behandlet søknaden din om %(kind)s, mottatt %(date)s.")
        % {"kind": application.get_kind_display().lower(), "date": f"{application.submitted_at:%d.%m.%Y}"},
        (
            _("Søknaden er innvilget fra %(from)s på grunnlag av en samlet inntekt på %(income)s kroner.")
            % {"from": f"{application.valid_from:%d.%m.%Y}", "income": f"{application.annual_income:.0f}"}
            if approve
            else _("Søknaden er avslått. Begrunnelse: %(note)s") % {"note": note.strip()}
        ),
        _("Vedtaket gjelder: %(names)s.") % {"names": ", ".join(c.full_name for c in children)},
        _("Du kan klage på vedtaket innen tre uker etter at du har mottatt det (forvaltningsloven § 29)."),
    ]
    title = _("Vedtak om redusert foreldrebetaling")
    with transaction.atomic():
        application.status = status
        application.decided_at = clock.now()
        application.decided_by_user_id = user_id
        application.decision_note = note.strip()
        letter_id = letter_send(
            recipient_person_id=application.applicant_id,
            title=title,
            template="letters/vedtak.html",
            context={"paragraphs": paragraphs},
            case_ref=f"redusert-betaling-{application.pk}",
            idempotency_key=f"fee-decision-{application.pk}",
        )
        application.letter_id = letter_id
        pdf = Letter.objects.values_list("pdf", flat=True).get(pk=letter_id)
        if children:
            application.archive_record_id = archive_document(
                child_person_id=children[0].pk,
                case_type="invoicing.fee_application",
                case_id=application.pk,
                case_title="Redusert foreldrebetaling",
                journalposttype="U",
                title=title,
                pdf=bytes(pdf),
                document_date=clock.today(),
                idempotency_key=f"fee-decision-archive-{application.pk}",
            )
        application.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_by_user_id",
                "decision_note",
                "letter_id",
                "archive_record_id",
            ]
        )
        audit_record(
            action=AuditAction.UPDATE,
            event="invoicing.application.decide",
            person_ids=[application.applicant_id, *[c.pk for c in children]],
            object_type="invoicing.FeeApplication",
            object_id=application.pk,
            details={"status": status},
            user_id=user_id,
        )
    return application


def _guardians_with_responsibility(child: Person, day: dt.date) -> set[int]:
    return set(
        PersonRelation.objects.filter(child=child, kind=RelationKind.GUARDIAN, valid_from__lte=day)
        .exclude(foreldreansvar="")
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("adult_id", flat=True)
    )


def _split_covering(child: Person, day: dt.date) -> PaymentSplit | None:
    return (
        PaymentSplit.objects.filter(child=child, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .first()
    )


def payment_split_request_submit(
    *, child: Person, requested_by: Person, valid_from: dt.date, reason: str = "", user_id: int | None = None
) -> PaymentSplitRequest:
    """A guardian with foreldreansvar asks to split the child's invoice from a month (delt bosted).

    Refused (nothing written) for a month already invoiced-by-default in the past, a child with fewer than two
    guardians with foreldreansvar, a request already waiting, or a split already in force.
    """
    month = _first(valid_from)
    if month < _first(clock.today()):
        raise ValidationError(
            _("Delt faktura kan tidligst gjelde fra inneværende måned."),
            fields={"valid_from": [_("Velg denne eller en senere måned.")]},
        )
    guardians = _guardians_with_responsibility(child, month)
    if requested_by.pk not in guardians:
        raise ValidationError(_("Bare foresatte med foreldreansvar kan be om delt faktura."), code="not_guardian")
    if len(guardians) < 2:
        raise ValidationError(
            _("Barnet har bare én foresatt med foreldreansvar; fakturaen kan ikke deles."),
            code="single_guardian",
            fields={"child": [_("Bare én foresatt med foreldreansvar.")]},
        )
    if _split_covering(child, month) is not None:
        raise Conflict(_("Fakturaen for barnet er allerede delt fra denne måneden."), code="already_split")
    if PaymentSplitRequest.objects.filter(child=child, status=SplitRequestStatus.SUBMITTED).exists():
        raise Conflict(_("Det ligger allerede en søknad om delt faktura til behandling."), code="already_requested")
    with transaction.atomic():
        request = PaymentSplitRequest.objects.create(
            child=child, requested_by=requested_by, valid_from=month, reason=reason[:2000], submitted_at=clock.now()
        )
        audit_record(
            action=AuditAction.CREATE,
            event="invoicing.split_request.submit",
            person_ids=[child.pk, requested_by.pk],
            object_type="invoicing.PaymentSplitRequest",
            object_id=request.pk,
            user_id=user_id,
            details={"valid_from": f"{month:%Y-%m}"},
        )
    return request


def payment_split_request_decide(
    *, request: PaymentSplitRequest, approve: bool, note: str = "", user_id: int | None = None
) -> PaymentSplitRequest:
    """The finance office approves (creating the ``PaymentSplit``) or rejects (with a reason) a request."""
    if not approve and not note.strip():
        raise ValidationError(_("Skriv en begrunnelse for avslaget."), fields={"note": [_("Påkrevd ved avslag.")]})
    with transaction.atomic():
        locked = PaymentSplitRequest.objects.select_for_update().select_related("child").get(pk=request.pk)
        if locked.status != SplitRequestStatus.SUBMITTED:
            raise Conflict(_("Søknaden er allerede avgjort."), code="already_decided")
        if approve:
            if _split_covering(locked.child, locked.valid_from) is not None:
                raise Conflict(_("Fakturaen for barnet er allerede delt fra denne måneden."), code="already_split")
            locked.split = payment_split_set(child=locked.child, valid_from=locked.valid_from, user_id=user_id)
        locked.status = SplitRequestStatus.APPROVED if approve else SplitRequestStatus.REJECTED
        locked.decided_at = clock.now()
        locked.decided_by_user_id = user_id
        locked.decision_note = note.strip()
        locked.save(update_fields=["split", "status", "decided_at", "decided_by_user_id", "decision_note"])
        audit_record(
            action=AuditAction.UPDATE,
            event="invoicing.split_request.decide",
            person_ids=[locked.child_id, locked.requested_by_id],
            object_type="invoicing.PaymentSplitRequest",
            object_id=locked.pk,
            user_id=user_id,
            details={"approved": approve},
        )
    return locked
