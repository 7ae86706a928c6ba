"""API for placement changes over time (one view per operation); the kernel refuses overlaps."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kindergarten.models import SizeKind
from kindergarten.placements import kindergarten_placement_change
from oas.access.getters import access_child, access_unit
from oas.errors import ValidationError
from oas.organisation.models import OrgUnit


class KindergartenPlacementOut(serializers.Serializer):
    id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    unit_id = serializers.IntegerField()
    group_id = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class KindergartenPlacementChangeApi(APIView):
    """Place a child in a kindergarten (and department) from a date; an open earlier place ends the day before."""

    required_actions = ("kindergarten.placement.change",)

    class InputSerializer(serializers.Serializer):
        child_id = serializers.IntegerField()
        unit_id = serializers.IntegerField()
        department_id = serializers.IntegerField(required=False, allow_null=True)
        start_date = serializers.DateField()
        end_date = serializers.DateField(required=False, allow_null=True)
        size_kind = serializers.ChoiceField(choices=SizeKind.choices, default=SizeKind.PERCENT)
        size_value = serializers.IntegerField(default=100)
        weekly_hours = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={201: KindergartenPlacementOut})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v: dict[str, Any] = data.validated_data
        unit = access_unit(user=request.user, id=v["unit_id"], action="kindergarten.placement.change")
        child = access_child(user=request.user, id=v["child_id"], action="child.read", audit_event="")
        department = None
        if v.get("department_id"):
            department = OrgUnit.objects.filter(pk=v["department_id"]).first()
            if department is None:
                raise ValidationError(_("Ukjent avdeling."), fields={"department_id": [_("Finnes ikke.")]})
        placement = kindergarten_placement_change(
            child=child,
            unit=unit,
            department=department,
            start_date=v["start_date"],
            end_date=v.get("end_date"),
            size_kind=v["size_kind"],
            size_value=v["size_value"],
            weekly_hours=v.get("weekly_hours"),
            user_id=request.user.pk,
        )
        return Response(KindergartenPlacementOut(placement).data, status=201)
