"""Writes for invoicing: the monthly run (preview, commit, resume), corrections, payment splits, and the
reduced-fee / free-hours applications and their decisions."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from fees.public import MissingRate, fee_rates_lock, fee_rates_on, fee_rates_unconfirmed
from integrations.public import archive_document, letter_pdf_get, letter_send, outbox_enqueue
from invoicing.calculation import CENT, LineDraft, MonthBasis, month_basis, month_bounds
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
from oas import clock, uploads
from oas.access.relations import ChildRight, relation_q
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import Conflict, ValidationError
from oas.people.models import Person, PersonRelation, RelationKind, Service
from oas.periods import active_on
from oas.text import amount_check

# How many earlier committed months a run re-computes to find changes back in time (municipal setting).
CORRECTION_MONTHS = 3
CHUNK = 2000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# extension → the type the content must parse as (oas.uploads); the declared type is never trusted
ATTACHMENT_TYPES = {"pdf": uploads.PDF, "jpg": uploads.JPEG, "jpeg": uploads.JPEG, "png": uploads.PNG}
# The largest income the field can hold (12 digits, 2 decimals); anything above is a typing error.
MAX_INCOME = Decimal("9999999999.99")


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

    @property
    def invoice_count(self) -> int:
        """One invoice per payer and month: the payers with a line or a correction."""
        return len({line.payer_id for line in self.basis.lines} | {c.payer_id for _m, c in self.corrections})


@dataclass(frozen=True)
class _Priced:
    """An amount for some days of a month: a line now computed, or one invoiced before (fee, food, correction)."""

    start: dt.date
    end: dt.date
    line_type: str
    amount: Decimal
    place: str
    unit_id: int | None
    month: dt.date
    dated: bool = True  # False: written before lines carried their days (counted as the whole month)


def _days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _pieces(expected: list[_Priced], billed: list[_Priced]) -> list[tuple[dt.date, dt.date]]:
    """Cut a month into the periods the correction is shown for: today's segments, then the days billed before
    that no segment covers any more (runs of consecutive days)."""
    ranges = sorted({(e.start, e.end) for e in expected})
    covered = {r[0] + dt.timedelta(days=i) for r in ranges for i in range(_days(*r))}
    gaps: list[tuple[dt.date, dt.date]] = []
    for day in sorted({b.start + dt.timedelta(days=i) for b in billed for i in range(_days(b.start, b.end))} - covered):
        if gaps and gaps[-1][1] + dt.timedelta(days=1) == day:
            gaps[-1] = (gaps[-1][0], day)
        else:
            gaps.append((day, day))
    return sorted(ranges + gaps)


def _spread(item: _Priced, pieces: list[tuple[dt.date, dt.date]]) -> dict[int, Decimal]:
    """Spread an amount over the pieces by calendar days, rounding cumulatively so the parts add up exactly."""
    total = _days(item.start, item.end)
    out: dict[int, Decimal] = {}
    counted, given = 0, Decimal(0)
    for index, (start, end) in enumerate(pieces):
        overlap = (min(end, item.end) - max(start, item.start)).days + 1
        if overlap <= 0:
            continue
        counted += overlap
        upto = (item.amount * counted / total).quantize(CENT, rounding=ROUND_HALF_UP)
        out[index] = out.get(index, Decimal(0)) + upto - given
        given = upto
    return out


def _kr(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def _correction_text(
    *,
    service: str,
    start: dt.date,
    end: dt.date,
    now: list[_Priced],
    before: list[_Priced],
    should: Decimal,
    was: Decimal,
) -> str:
    """What a guardian needs to understand a correction: which days, why, and what was and should be billed."""
    what = _("barnehage") if service == Service.KINDERGARTEN else _("SFO")
    new_place = next((e.place for e in now if e.place), "")
    old_places = [b.place for b in sorted(before, key=lambda b: b.month) if b.place]
    old_place = old_places[-1] if old_places else ""
    if not now:
        reason = _("barnet hadde ikke plass i perioden")
    elif not before:
        reason = _("plassen i perioden var ikke fakturert")
    elif old_place and new_place and old_place != new_place:
        reason = _("plassen er endret fra %(old)s til %(new)s") % {"old": old_place, "new": new_place}
    else:
        reason = _("prisen er beregnet på nytt (satser, inntekt eller søskenmoderasjon er endret)")
    return _("Korreksjon %(what)s %(start)s–%(end)s: %(reason)s. Fakturert %(was)s kr, riktig %(should)s kr.") % {
        "what": what,
        "start": f"{start:%d.%m}",
        "end": f"{end:%d.%m.%Y}",
        "reason": reason,
        "was": _kr(was),
        "should": _kr(should),
    }


# Differences of at most this much in a period are rounding (øre) and go to the child's largest correction.
ROUNDING_NOISE = Decimal("0.02")


def _correction_lines(
    *, period: dt.date, key: tuple[int, int, str], expected: list[_Priced], billed: list[_Priced]
) -> list[LineDraft]:
    """The corrections of one child, payer and service for an earlier month: one line per period of days
    whose price now differs from what was billed for those days (numbered 1, 2, … in the line key)."""
    child_id, payer_id, service = key
    pieces = _pieces(expected, billed)
    should: dict[int, Decimal] = defaultdict(Decimal)
    was: dict[int, Decimal] = defaultdict(Decimal)
    now: dict[int, list[_Priced]] = defaultdict(list)
    before: dict[int, list[_Priced]] = defaultdict(list)
    for item in expected:
        for index, part in _spread(item, pieces).items():
            should[index] += part
            now[index].append(item)
    for item in billed:
        for index, part in _spread(item, pieces).items():
            was[index] += part
            before[index].append(item)
    diffs = {i: should[i] - was[i] for i in range(len(pieces)) if should[i] != was[i]}
    real = [i for i, d in diffs.items() if abs(d) > ROUNDING_NOISE]
    if real:
        target = max(real, key=lambda i: (abs(diffs[i]), -i))
        for i in [i for i in diffs if i not in real]:
            diffs[target] += diffs.pop(i)
            should[target] += should[i] - was[i]
    out: list[LineDraft] = []
    for index in sorted(diffs):
        if not diffs[index]:
            continue
        start, end = pieces[index]
        source = now[index] or before[index]
        out.append(
            LineDraft(
                child_id=child_id,
                payer_id=payer_id,
                unit_id=source[0].unit_id if source else None,
                service=service,
                line_type=LineType.CORRECTION,
                share=Decimal(1),
                amount=diffs[index],
                description=_correction_text(
                    service=service,
                    start=start,
                    end=end,
                    now=now[index],
                    before=before[index],
                    should=should[index],
                    was=was[index],
                )[:300],
                segment=index + 1,
                period_start=start,
                period_end=end,
                place=next((e.place for e in now[index] if e.place), ""),
            )
        )
    return out


def _corrections(*, municipality_number: str, month: dt.date) -> list[tuple[dt.date, LineDraft]]:
    """Re-compute earlier committed months; per period of days, the difference to what was billed for those
    days becomes a correction line (a place changed from the 16th gives one line for the 16th to the end)."""
    out: list[tuple[dt.date, LineDraft]] = []
    earlier = InvoiceRun.objects.filter(
        municipality_number=municipality_number, state=RunState.COMMITTED, month__lt=month
    ).order_by("-month")[:CORRECTION_MONTHS]
    for run in earlier:
        period = run.month
        first, last = month_bounds(period)
        expected: dict[tuple[int, int, str], list[_Priced]] = defaultdict(list)
        for line in month_basis(municipality_number=municipality_number, month=period).lines:
            expected[(line.child_id, line.payer_id, line.service)].append(
                _Priced(
                    start=line.period_start or first,
                    end=line.period_end or last,
                    line_type=line.line_type,
                    amount=line.amount,
                    place=line.place,
                    unit_id=line.unit_id,
                    month=month,
                )
            )
        billed: dict[tuple[int, int, str], list[_Priced]] = defaultdict(list)
        # Lines written before period dates were stored count for the whole month.
        for child_id, payer_id, service, unit_id, line_type, amount, start, end, place, billed_in in (
            InvoiceLine.objects.filter(period_month=period, run__municipality_number=municipality_number)
            .exclude(month=month)
            .values_list(
                "child_id",
                "payer_id",
                "service",
                "unit_id",
                "line_type",
                "amount",
                "period_start",
                "period_end",
                "place",
                "month",
            )
            .order_by("month", "pk")
        ):
            billed[(child_id, payer_id, service)].append(
                _Priced(
                    start=start or first,
                    end=end or last,
                    line_type=line_type,
                    amount=amount,
                    place=place,
                    unit_id=unit_id,
                    month=billed_in,
                    dated=start is not None,
                )
            )
        for key in sorted(set(expected) | set(billed)):
            exp, got = expected.get(key, []), billed.get(key, [])
            should, was = sum((e.amount for e in exp), Decimal(0)), sum((b.amount for b in got), Decimal(0))
            if should == was and _same(exp, got):
                continue
            if not all(b.dated for b in got):
                # Billed before lines carried their days: one line for the month's difference, as then.
                if should != was:
                    out.append((period, _month_correction(period=period, key=key, exp=exp, got=got)))
                continue
            out.extend((period, line) for line in _correction_lines(period=period, key=key, expected=exp, billed=got))
    return out


def _month_correction(
    *, period: dt.date, key: tuple[int, int, str], exp: list[_Priced], got: list[_Priced]
) -> LineDraft:
    """The whole month's difference as one line (for months billed before lines carried their days)."""
    child_id, payer_id, service = key
    should, was = sum((e.amount for e in exp), Decimal(0)), sum((b.amount for b in got), Decimal(0))
    what = _("barnehage") if service == Service.KINDERGARTEN else _("SFO")
    source = exp or got
    return LineDraft(
        child_id=child_id,
        payer_id=payer_id,
        unit_id=source[0].unit_id if source else None,
        service=service,
        line_type=LineType.CORRECTION,
        share=Decimal(1),
        amount=should - was,
        description=_(
            "Korreksjon %(what)s %(month)s: prisen for måneden er beregnet på nytt. Fakturert %(was)s kr, riktig %(should)s kr."
        )
        % {"what": what, "month": f"{period:%m.%Y}", "was": _kr(was), "should": _kr(should)},
    )


def _same(expected: list[_Priced], billed: list[_Priced]) -> bool:
    """Shortcut for the common case: the month was billed exactly as it is computed now."""
    return sorted((e.start, e.end, e.line_type, e.amount) for e in expected) == sorted(
        (b.start, b.end, b.line_type, b.amount) for b in billed
    )


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
        period_start=d.period_start,
        period_end=d.period_end,
        place=d.place,
        share=d.share,
        amount=d.amount,
        description=d.description,
        trace=d.trace,
    )


class UnconfirmedRates(Conflict):
    """The month would be invoiced on rates nobody has confirmed; the user must say so explicitly."""

    code = "unconfirmed_rates"


def invoice_run_rate_warnings(*, municipality_number: str, month: dt.date) -> list[str]:
    """What is not confirmed about the rates the month would be invoiced on (empty when all are confirmed)."""
    try:
        rates = fee_rates_on(municipality_number=municipality_number, on=_first(month))
    except MissingRate:
        return []
    return fee_rates_unconfirmed(rates=rates)


def invoice_run_commit(
    *, municipality_number: str, month: dt.date, user_id: int | None = None, confirm_unconfirmed_rates: bool = False
) -> InvoiceRun:
    """Invoice a month: write its lines and corrections, lock the rates used, then queue the ERP export.

    A committed month is returned unchanged. A run that stopped half-way is resumed: lines are written in
    chunks with ``ON CONFLICT DO NOTHING`` on (child, payer, service, month, period month, line type,
    ``segment``), so nothing is written twice. A missing rate stops the run, names the rate, and writes no lines.
    Rates not confirmed (national rates not verified, municipal demo values) stop it before anything is written
    unless ``confirm_unconfirmed_rates`` is given; the confirmation is audited.
    """
    month = _first(month)
    already = InvoiceRun.objects.filter(
        municipality_number=municipality_number, month=month, state=RunState.COMMITTED
    ).first()
    if already is not None:
        return already
    unconfirmed = invoice_run_rate_warnings(municipality_number=municipality_number, month=month)
    if unconfirmed and not confirm_unconfirmed_rates:
        raise UnconfirmedRates(
            _(
                "Måneden er ikke fakturert: satsene er ikke bekreftet. %(problems)s "
                "Kontroller satsene i administrasjonen, eller bekreft at du vil fakturere likevel; "
                "satsene låses da og kan ikke endres etterpå."
            )
            % {"problems": " ".join(unconfirmed)},
            fields={"confirm_unconfirmed_rates": unconfirmed},
        )
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
        locked = fee_rates_lock(municipality_number=municipality_number, on=month)
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
            details={
                "month": f"{month:%Y-%m}",
                "lines": run.line_count,
                "total": str(run.total),
                "rates_locked": locked,
                "confirmed_unconfirmed_rates": unconfirmed,
            },
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


def barnehageaar_end(day: dt.date) -> dt.date:
    """The last day (31 July) of the barnehageår (1 August – 31 July) that ``day`` falls in."""
    return dt.date(day.year + 1 if day.month >= 8 else day.year, 7, 31)


def _children_living_with(adult: Person, child_ids: list[int], day: dt.date) -> set[int]:
    """The children among ``child_ids`` whose household is the adult's on ``day`` (``lives_with_child``)."""
    return set(
        PersonRelation.objects.filter(
            adult=adult,
            child_id__in=child_ids,
            kind__in=[RelationKind.GUARDIAN, RelationKind.PARENT, RelationKind.FOSTER_PARENT],
            lives_with_child=True,
            valid_from__lte=day,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .values_list("child_id", flat=True)
    )


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
    try:
        amount_check(amount=annual_income, field="annual_income", maximum=MAX_INCOME, label=_("Inntekten"))
    except ValidationError as exc:
        errors.update(exc.fields)
    if not child_ids:
        errors["children"] = [_("Velg minst ett barn.")]
    elif not set(child_ids) <= allowed_child_ids:
        errors["children"] = [_("Du kan bare søke for barn du har foreldreansvar for.")]
    elif not set(child_ids) <= _children_living_with(applicant, child_ids, clock.today()):
        errors["children"] = [
            _(
                "Du kan bare søke for barn som bor hos deg: det er inntekten i husholdningen barnet bor i "
                "som gjelder. Den forelderen barnet bor hos, må søke."
            )
        ]
    start = _first(valid_from)
    if start < _first(clock.today()):
        errors["valid_from"] = [_("Søknaden kan tidligst gjelde fra inneværende måned.")]
    elif start > _first(clock.today() + dt.timedelta(days=366)):
        errors["valid_from"] = [_("Søknaden kan gjelde fra høyst ett år frem i tid.")]
    content_type = ""
    if attachment is None or not attachment.content:
        errors["attachment"] = [_("Legg ved dokumentasjon av inntekten (skattemelding eller lønnsslipper).")]
    elif len(attachment.content) > MAX_ATTACHMENT_BYTES:
        errors["attachment"] = [_("Vedlegget må være PDF, JPEG eller PNG og høyst 10 MB.")]
    else:
        try:
            content_type = uploads.content_check(
                data=attachment.content, filename=attachment.filename, allowed=ATTACHMENT_TYPES
            )
        except ValidationError as exc:
            errors["attachment"] = [exc.message, _("Vedlegget må være PDF, JPEG eller PNG og høyst 10 MB.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], fields=errors)
    assert attachment is not None
    with transaction.atomic():
        application = FeeApplication(
            applicant=applicant,
            kind=kind,
            annual_income=annual_income,
            valid_from=start,
            valid_to=barnehageaar_end(start),
            submitted_at=clock.now(),
            attachment_name=attachment.filename[:200],
            attachment_type=content_type,
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
            _(
                "Søknaden er innvilget fra %(from)s til og med %(to)s (barnehageåret) på grunnlag av en samlet "
                "inntekt på %(income)s kroner. Du må søke på nytt for neste barnehageår."
            )
            % {
                "from": f"{application.valid_from:%d.%m.%Y}",
                "to": f"{application.valid_to or barnehageaar_end(application.valid_from):%d.%m.%Y}",
                "income": f"{application.annual_income:.0f}",
            }
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
        pdf = letter_pdf_get(letter_id=letter_id)
        if children:
            application.archive_record_id = archive_document(
                child_person_id=children[0].pk,
                case_type="invoicing.fee_application",
                case_id=application.pk,
                case_title=_("Redusert foreldrebetaling"),
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
        # The kernel relation policy: the parent a strengt fortrolig child does not live with shares no invoice.
        PersonRelation.objects.filter(
            relation_q(right=ChildRight.WHEREABOUTS), active_on(day), child=child, kind=RelationKind.GUARDIAN
        )
        .exclude(foreldreansvar="")
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
