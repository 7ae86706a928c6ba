"""Public API: ``POST /api/v1/fees/quote`` – a household's monthly prices with the trace of every rule."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.access.markers import public
from oas.errors import DomainError, ValidationError
from oas.throttling import ClientAddressRateThrottle

from .engine import ChildInput, HouseholdInput, UnitType
from .selectors import fee_quote


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten nested DRF errors (dicts, lists of child errors) to dotted paths: ``household.children.1.grade``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            out.update(flatten_errors(value, f"{prefix}{key}."))
    elif isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        for index, item in enumerate(detail):
            if item:
                out.update(flatten_errors(item, f"{prefix}{index}."))
    elif isinstance(detail, list):
        out[prefix.rstrip(".") or "non_field_errors"] = [str(item) for item in detail]
    else:
        out[prefix.rstrip(".") or "non_field_errors"] = [str(detail)]
    return out


def prefixed(exc: DomainError, prefix: str) -> DomainError:
    """Return the same error with household-relative field paths placed under ``prefix``."""
    fields = {(k if k in {"date", "municipality"} else f"{prefix}{k}"): v for k, v in exc.fields.items()}
    return type(exc)(exc.message, code=exc.code, fields=fields)


def child_input_from(data: dict[str, Any]) -> ChildInput:
    """Build the engine's ChildInput from validated serializer or form data."""
    return ChildInput(
        key=data["name"],
        birth_date=data["birth_date"],
        unit_type=UnitType(data["unit_type"]),
        place_percentage=data.get("place_percentage"),
        days_per_week=data.get("days_per_week"),
        weekly_hours=data.get("weekly_hours"),
        grade=data.get("grade"),
        sfo_place_type=data.get("sfo_place_type") or None,
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
        utsatt_skolestart=bool(data.get("utsatt_skolestart")),
    )


class FeeQuoteChildInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, help_text=_("Barnets navn eller en referanse; unik i husholdningen."))
    birth_date = serializers.DateField()
    unit_type = serializers.ChoiceField(choices=[u.value for u in UnitType])
    place_percentage = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=1, max_value=100
    )
    days_per_week = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    weekly_hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True, min_value=1, max_value=60
    )
    grade = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=7)
    sfo_place_type = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=30, help_text=_("Kode for SFO-plasstype.")
    )
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    utsatt_skolestart = serializers.BooleanField(required=False, default=False)


class FeeQuoteHouseholdInputSerializer(serializers.Serializer):
    annual_income = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_("Husholdningens samlede person- og kapitalinntekt per år; tom betyr ingen inntektsmoderasjon."),
    )
    children = FeeQuoteChildInputSerializer(many=True, allow_empty=False)

    def validate_annual_income(self, value: Any) -> Any:
        if value is not None and value < 0:
            raise serializers.ValidationError(_("Inntekten kan ikke være negativ."))
        return value

    def validate_children(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(value) > 10:
            raise serializers.ValidationError(_("Høyst 10 barn."))
        return value


class FeeQuoteInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    municipality = serializers.RegexField(
        r"^\d{4}$", required=False, help_text=_("Kommunenummer; kan utelates når bare én kommune har satser.")
    )
    household = FeeQuoteHouseholdInputSerializer()


class FeeQuoteTraceStepSerializer(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    change = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    detail = serializers.CharField()


class FeeQuoteChildSerializer(serializers.Serializer):
    name = serializers.CharField(source="key")
    unit_type = serializers.CharField()
    sibling_rank = serializers.IntegerField(allow_null=True)
    parental_fee = serializers.DecimalField(max_digits=12, decimal_places=2)
    food_money = serializers.DecimalField(max_digits=12, decimal_places=2)
    monthly_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    trace = FeeQuoteTraceStepSerializer(many=True)


class FeeQuoteSerializer(serializers.Serializer):
    date = serializers.DateField(source="on")
    municipality = serializers.CharField(source="municipality_number")
    national_period = serializers.CharField()
    municipal_period = serializers.CharField()
    rates_verified = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    children = FeeQuoteChildSerializer(many=True)


class FeeQuoteErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))  # type: ignore[assignment]


class FeeQuoteThrottle(ClientAddressRateThrottle):
    """A modest limit per client address for the public endpoint (counted in the Django cache, i.e. Redis)."""

    scope = "fees_quote"
    rate = "60/min"


@public
class FeeQuoteApi(APIView):
    """Compute each child's monthly price on a date for a household, with the trace of every rule.

    Public (the price calculator): no login, no session, no CSRF; nothing is stored.
    """

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [FeeQuoteThrottle]

    InputSerializer = FeeQuoteInputSerializer
    OutputSerializer = FeeQuoteSerializer

    @extend_schema(
        operation_id="fees_quote",
        summary="Priskalkulator: månedspris per barn med sporing av hver regel",
        request=FeeQuoteInputSerializer,
        responses={
            200: FeeQuoteSerializer,
            400: OpenApiResponse(FeeQuoteErrorSerializer, description="Ugyldig input; feltet er navngitt."),
            422: OpenApiResponse(FeeQuoteErrorSerializer, description="Mangler sats for perioden (code=missing_rate)."),
            429: OpenApiResponse(FeeQuoteErrorSerializer, description="For mange forespørsler."),
        },
        examples=[
            OpenApiExample(
                "To barn i barnehage",
                request_only=True,
                value={
                    "date": "2026-11-01",
                    "municipality": "3030",
                    "household": {
                        "annual_income": 450000,
                        "children": [
                            {"name": "Eldste", "birth_date": "2022-03-10", "unit_type": "kindergarten"},
                            {
                                "name": "Yngste",
                                "birth_date": "2024-05-02",
                                "unit_type": "kindergarten",
                                "place_percentage": 60,
                            },
                        ],
                    },
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        if not serializer.is_valid():
            fields = flatten_errors(serializer.errors)
            raise ValidationError(next(iter(fields.values()))[0], fields=fields)
        data = serializer.validated_data
        household = HouseholdInput(
            annual_income=data["household"].get("annual_income"),
            children=tuple(child_input_from(child) for child in data["household"]["children"]),
        )
        try:
            quote = fee_quote(on=data["date"], municipality_number=data.get("municipality"), household=household)
        except DomainError as exc:
            raise prefixed(exc, "household.") from exc
        return Response(self.OutputSerializer(quote).data)


fee_quote_api = public(FeeQuoteApi.as_view())
