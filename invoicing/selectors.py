"""Reads of invoicing for guardians: their own invoices, month by month, with each line's calculation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from invoicing.models import InvoiceLine, InvoicePayment, PaymentStatus, RunState
from oas import clock
from oas.access.privacy import placement_is_hidden
from oas.people.models import Person

if TYPE_CHECKING:
    from oas.access.principal import Actor


@dataclass
class InvoiceLineView:
    child_name: str
    unit_name: str  # empty when the unit may not be shown to this payer (strengt fortrolig)
    line_type: str
    description: str
    place: str
    period: str
    amount: Decimal
    trace: list[dict[str, Any]]


@dataclass
class InvoiceMonthView:
    month: dt.date
    due_date: dt.date
    total: Decimal = Decimal("0")
    lines: list[InvoiceLineView] = field(default_factory=list)
    # From the ERP's payment file: paid | partly_paid | unpaid, or "" before the ERP has said anything.
    payment_status: str = ""
    payment_label: str = ""
    amount_paid: Decimal = Decimal("0")
    paid_on: dt.date | None = None
    overdue: bool = False


# Parental fees are invoiced in advance and fall due on the 20th of the month they are for.
DUE_DAY = 20


def invoice_due_date(*, month: dt.date) -> dt.date:
    """The due date of a month's invoice (the 20th of that month)."""
    return month.replace(day=DUE_DAY)


def invoices_for_payer(*, user: Actor, payer_id: int, months: int = 12) -> list[InvoiceMonthView]:
    """Return the payer's invoices (committed runs only), newest month first, with lines per child."""
    lines = (
        InvoiceLine.objects.filter(payer_id=payer_id, run__state=RunState.COMMITTED)
        .select_related("child", "unit")
        .order_by("-month", "child__first_name", "period_month", "line_type", "segment")
    )
    hidden: dict[int, bool] = {}
    out: dict[dt.date, InvoiceMonthView] = {}
    for line in lines:
        view = out.get(line.month)
        if view is None:
            if len(out) >= months:
                break
            view = out[line.month] = InvoiceMonthView(month=line.month, due_date=invoice_due_date(month=line.month))
        child: Person = line.child
        if child.pk not in hidden:
            hidden[child.pk] = placement_is_hidden(user=user, child=child)
        period = ""
        if line.period_start and line.period_end:
            period = f"{line.period_start:%d.%m}–{line.period_end:%d.%m.%Y}"
        elif line.period_month != line.month:
            period = f"{line.period_month:%m.%Y}"
        view.lines.append(
            InvoiceLineView(
                child_name=f"{child.first_name} {child.last_name}",
                unit_name="" if hidden[child.pk] or line.unit is None else line.unit.name,
                line_type=line.get_line_type_display(),
                description=line.description,
                place=line.place,
                period=period,
                amount=line.amount,
                trace=list(line.trace or []),
            )
        )
        view.total += line.amount
    payments = InvoicePayment.objects.filter(payer_id=payer_id, month__in=list(out))
    today = clock.today()
    for payment in payments:
        view = out[payment.month]
        view.payment_status, view.payment_label = payment.status, str(payment.get_status_display())
        view.amount_paid, view.paid_on = payment.amount_paid, payment.paid_on
        view.overdue = payment.status != PaymentStatus.PAID and today > view.due_date
    return list(out.values())


def person_names(*, ids: list[int]) -> dict[int, str]:
    """Return the full names of the given people by id (one query; for the office's lists of lines)."""
    return {p.pk: p.full_name for p in Person.objects.filter(pk__in=set(ids))}
