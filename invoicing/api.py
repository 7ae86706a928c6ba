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

    @extend_schema(request=_RunInput, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = _RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        month = data.validated_data["month"]
        preview = services.invoice_run_preview(
            municipality_number=data.validated_data["municipality_number"], month=month
        )
        out = {
            "month": preview.month,
            "children": preview.basis.children,
            "line_count": preview.line_count,
            "corrections": len(preview.corrections),
            "total": preview.total,
            "warnings": preview.basis.warnings,
        }
        return Response(self.OutputSerializer(out).data)


class InvoiceRunCommitApi(APIView):
    """Commit a month; a committed month is returned unchanged, a stopped run is resumed."""

    required_actions = ("invoicing.run.manage",)

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        month = serializers.DateField()
        state = serializers.CharField()
        line_count = serializers.IntegerField()
        total = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(request=_RunInput, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        data = _RunInput(data=request.data)
        data.is_valid(raise_exception=True)
        month = data.validated_data["month"]
        run = services.invoice_run_commit(
            municipality_number=data.validated_data["municipality_number"], month=month, user_id=request.user.pk
        )
        return Response(self.OutputSerializer(run).data)
