"""API for the finance office: preview and commit a monthly run."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoicing import services


class _RunInput(serializers.Serializer):
    municipality_number = serializers.RegexField(r"^\d{4}$", default=lambda: settings.FREG_MUNICIPALITY_NUMBER)
    # Month 01–12 of a year 1000–9999: the schema's pattern refuses what the server refuses (e.g. 0000-00).
    month = serializers.RegexField(r"^[1-9]\d{3}-(0[1-9]|1[0-2])$")

    def validate_month(self, value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value + "-01")
        except ValueError:
            raise serializers.ValidationError(_("Ugyldig måned (ÅÅÅÅ-MM).")) from None


class InvoiceRunPreviewApi(APIView):
    """Dry run of a month: totals, line count, corrections and warnings; nothing is written."""

    required_actions = ("invoicing.run.manage",)

    class OutputSerializer(serializers.Serializer):
        month = serializers.DateField()
        children = serializers.IntegerField()
        line_count = serializers.IntegerField()
        corrections = serializers.IntegerField()
        total = serializers.DecimalField(max_digits=14, decimal_places=2)
        warnings = serializers.ListField(child=serializers.CharField())
        rates_confirmed = serializers.BooleanField()
        rate_warnings = serializers.ListField(child=serializers.CharField())

    @extend_schema(request=_RunInput, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = _RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        month = data.validated_data["month"]
        preview = services.invoice_run_preview(
            municipality_number=data.validated_data["municipality_number"], month=month
        )
        rate_warnings = services.invoice_run_rate_warnings(
            municipality_number=data.validated_data["municipality_number"], month=month
        )
        out = {
            "rates_confirmed": not rate_warnings,
            "rate_warnings": rate_warnings,
            "month": preview.month,
            "children": preview.basis.children,
            "line_count": preview.line_count,
            "corrections": len(preview.corrections),
            "total": preview.total,
            "warnings": preview.basis.warnings,
        }
        return Response(self.OutputSerializer(out).data)


class _CommitInput(_RunInput):
    confirm_unconfirmed_rates = serializers.BooleanField(
        default=False,
        help_text="Invoice even though the national rates are not verified or the municipal rates are demo values.",
    )


class InvoiceRunCommitApi(APIView):
    """Commit a month; a committed month is returned unchanged, a stopped run is resumed.

    Refused with 409 ``unconfirmed_rates`` (nothing written) on unconfirmed rates unless
    ``confirm_unconfirmed_rates`` is true.
    """

    required_actions = ("invoicing.run.manage",)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        month = serializers.DateField()
        state = serializers.CharField()
        line_count = serializers.IntegerField()
        total = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(request=_CommitInput, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = _CommitInput(data=request.data)
        data.is_valid(raise_exception=True)
        month = data.validated_data["month"]
        run = services.invoice_run_commit(
            municipality_number=data.validated_data["municipality_number"],
            month=month,
            user_id=request.user.pk,
            confirm_unconfirmed_rates=data.validated_data["confirm_unconfirmed_rates"],
        )
        return Response(self.OutputSerializer(run).data)
