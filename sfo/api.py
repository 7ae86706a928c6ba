"""API for SFO placement changes over time (place type and hours)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.access.getters import access_child, access_unit
from sfo.placements import sfo_placement_change


class SfoPlacementOut(serializers.Serializer):
    id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    group_id = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class SfoPlacementChangeApi(APIView):
    """Give a child an SFO place (type and hours) from a date; an open earlier place ends the day before."""

    required_actions = ("sfo.placement.change",)

    class InputSerializer(serializers.Serializer):
        child_id = serializers.IntegerField()
        unit_id = serializers.IntegerField()
        start_date = serializers.DateField()
        end_date = serializers.DateField(required=False, allow_null=True)
        place_type = serializers.CharField()
        hours_per_week = serializers.IntegerField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: SfoPlacementOut})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v: dict[str, Any] = data.validated_data
        unit = access_unit(user=request.user, id=v["unit_id"], action="sfo.placement.change")
        child = access_child(user=request.user, id=v["child_id"], action="child.read", audit_event="")
        placement = sfo_placement_change(
            child=child,
            unit=unit,
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            place_type=v["place_type"],
            hours_per_week=v.get("hours_per_week"),
            user_id=request.user.pk,
        )
        return Response(SfoPlacementOut(placement).data, status=201)
