"""Writes for fee rates. The seed command and the admin both go through these checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from oas import clock
from oas.audit.models import AuditAction
from oas.audit.services import audit_record
from oas.errors import ValidationError, full_clean_or_raise
from oas.organisation.models import Municipality

from .engine import MunicipalRates, NationalRates, PriceZone, RateSet
from .models import MunicipalFeeRates, NationalFeeRates, SfoPlaceTypeRate

_NATIONAL_FIELDS = [f.name for f in dataclasses.fields(NationalRates) if f.name not in {"valid_from"}]
_MUNICIPAL_FIELDS = [
    f.name
    for f in dataclasses.fields(MunicipalRates)
    if f.name not in {"valid_from", "municipality_number", "municipality_name", "sfo_place_types"}
]


def _overlapping(valid_from: dt.date, valid_to: dt.date | None) -> Q:
    q = Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    if valid_to is not None:
        q &= Q(valid_from__lte=valid_to)
    return q


def municipal_fee_rates_check_max_price(
    *,
    valid_from: dt.date,
    valid_to: dt.date | None,
    price_zone: str,
    kindergarten_full_time_price: Decimal | None,
    sibling_child2: Decimal | None = None,
    sibling_child3_plus: Decimal | None = None,
) -> None:
    """Refuse a kindergarten price above the maksimalpris, or sibling discounts below the national minimum,
    of any overlapping national period."""
    for national in NationalFeeRates.objects.filter(_overlapping(valid_from, valid_to)):
        ceiling = national.max_price
        if price_zone == PriceZone.LOW_CENTRALITY and national.max_price_low_centrality is not None:
            ceiling = national.max_price_low_centrality
        if price_zone == PriceZone.TILTAKSSONE and national.max_price_tiltakssone is not None:
            ceiling = national.max_price_tiltakssone
        if kindergarten_full_time_price is not None and kindergarten_full_time_price > ceiling:
            message = _(
                "Prisen for heltidsplass kan ikke være høyere enn maksimalprisen (%(max)s kr) for %(label)s."
            ) % {
                "max": ceiling,
                "label": national.label,
            }
            raise ValidationError(message, fields={"kindergarten_full_time_price": [message]})
        for field, value, minimum in (
            ("kindergarten_sibling_discount_child2", sibling_child2, national.sibling_min_discount_child2),
            (
                "kindergarten_sibling_discount_child3_plus",
                sibling_child3_plus,
                national.sibling_min_discount_child3_plus,
            ),
        ):
            if value is not None and value < minimum:
                message = _("Søskenmoderasjonen kan ikke være lavere enn %(min)s %% (%(label)s).") % {
                    "min": minimum,
                    "label": national.label,
                }
                raise ValidationError(message, fields={field: [message]})


def fee_rates_audit(
    *, row: NationalFeeRates | MunicipalFeeRates, created: bool, changed: list[str], user_id: int | None
) -> None:
    """Write the audit row for a change of rates (who, which period, which fields)."""
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        event="fees.rates.create" if created else "fees.rates.update",
        object_type=f"fees.{type(row).__name__}",
        object_id=row.pk,
        details={"label": row.label, "valid_from": row.valid_from.isoformat(), "fields": sorted(changed)},
        user_id=user_id,
    )


def _changed(row: object, before: dict[str, object], names: list[str]) -> list[str]:
    return [n for n in names if before.get(n) != getattr(row, n)]


@transaction.atomic
def national_fee_rates_upsert(*, rates: NationalRates, user_id: int | None = None) -> NationalFeeRates:
    """Create or update the national rates for the period starting ``rates.valid_from`` (refused once locked)."""
    row = NationalFeeRates.objects.filter(valid_from=rates.valid_from).first() or NationalFeeRates(
        valid_from=rates.valid_from
    )
    created = row.pk is None
    before = {n: getattr(row, n, None) for n in _NATIONAL_FIELDS}
    for name in _NATIONAL_FIELDS:
        setattr(row, name, getattr(rates, name))
    changed = _changed(row, before, _NATIONAL_FIELDS)
    if not created and not changed:
        return row  # nothing to change (the seed command re-run): a locked row stays untouched
    full_clean_or_raise(row)
    row.save()
    fee_rates_audit(row=row, created=created, changed=changed, user_id=user_id)
    return row


def fee_rates_unconfirmed(*, rates: RateSet) -> list[str]:
    """Say what is not confirmed about the rates in force: national rates not verified, municipal demo values."""
    problems: list[str] = []
    if not rates.national.verified:
        problems.append(
            _("De nasjonale satsene for %(label)s er ikke bekreftet mot Stortingets vedtak.")
            % {"label": rates.national.label}
        )
    if rates.municipal.is_demo:
        problems.append(
            _("De kommunale satsene for %(name)s %(label)s er demoverdier, ikke kommunens vedtatte priser.")
            % {"name": rates.municipal.municipality_name, "label": rates.municipal.label}
        )
    return problems


def fee_rates_lock(*, municipality_number: str, on: dt.date) -> list[int]:
    """Lock the national and municipal rates in force on ``on`` (an invoicing run used them); return the ids."""
    now = clock.now()
    national = list(NationalFeeRates.objects.filter(_overlapping(on, on)).values_list("pk", flat=True))
    municipal = list(
        MunicipalFeeRates.objects.filter(_overlapping(on, on), municipality__number=municipality_number).values_list(
            "pk", flat=True
        )
    )
    NationalFeeRates.objects.filter(pk__in=national, locked_at__isnull=True).update(locked_at=now)
    MunicipalFeeRates.objects.filter(pk__in=municipal, locked_at__isnull=True).update(locked_at=now)
    return national + municipal


@transaction.atomic
def municipal_fee_rates_upsert(
    *, municipality: Municipality, rates: MunicipalRates, user_id: int | None = None
) -> MunicipalFeeRates:
    """Create or update a municipality's rates for the period starting ``rates.valid_from``, with SFO place types
    (refused once a committed invoicing run has used them)."""
    row = MunicipalFeeRates.objects.filter(municipality=municipality, valid_from=rates.valid_from).first()
    if row is None:
        row = MunicipalFeeRates(municipality=municipality, valid_from=rates.valid_from)
    created = row.pk is None
    before = {n: getattr(row, n, None) for n in _MUNICIPAL_FIELDS}
    places_before = (
        []
        if created
        else list(
            row.sfo_place_types.order_by("pk").values_list("code", "name", "kind", "weekly_hours", "monthly_price")
        )
    )
    for name in _MUNICIPAL_FIELDS:
        value = getattr(rates, name)
        setattr(row, name, value.value if hasattr(value, "value") else value)
    places_after = [(p.code, p.name, p.kind.value, p.weekly_hours, p.monthly_price) for p in rates.sfo_place_types]
    changed = _changed(row, before, _MUNICIPAL_FIELDS) + (["sfo_place_types"] if places_before != places_after else [])
    if not created and not changed:
        return row  # nothing to change (the seed command re-run): a locked row stays untouched
    municipal_fee_rates_check_max_price(
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        price_zone=row.price_zone,
        kindergarten_full_time_price=row.kindergarten_full_time_price,
        sibling_child2=row.kindergarten_sibling_discount_child2,
        sibling_child3_plus=row.kindergarten_sibling_discount_child3_plus,
    )
    full_clean_or_raise(row)
    row.save()
    row.sfo_place_types.all().delete()
    for place in rates.sfo_place_types:
        item = SfoPlaceTypeRate(
            rates=row,
            code=place.code,
            name=place.name,
            kind=place.kind.value,
            weekly_hours=place.weekly_hours,
            monthly_price=place.monthly_price,
        )
        full_clean_or_raise(item)
        item.save()
    fee_rates_audit(row=row, created=created, changed=changed, user_id=user_id)
    return row
