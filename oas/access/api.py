"""``/api/v1/children/<id>``: one child as the user may see it, with ``permitted_actions``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.access.evaluation import permitted_actions
from oas.access.getters import access_child
from oas.access.privacy import child_placements_view, person_contact_view


class ChildPlacementSerializer(serializers.Serializer[Any]):
    service = serializers.CharField()
    unit_id = serializers.IntegerField()
    unit_name = serializers.CharField()
    group_name = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class ChildDetailApi(APIView):
    """One child: name, contact (protected addresses blanked), placements and the permitted actions."""

    required_actions = ("child.read",)

    class OutputSerializer(serializers.Serializer[Any]):
        id = serializers.IntegerField()
        name = serializers.CharField()
        birth_date = serializers.DateField(allow_null=True)
        address_lines = serializers.ListField(child=serializers.CharField())
        address_hidden = serializers.BooleanField()
        placements = ChildPlacementSerializer(many=True)
        permitted_actions = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer, operation_id="child_detail")
    def get(self, request: Request, child_id: int) -> Response:
        child = access_child(user=request.user, id=child_id)
        contact = person_contact_view(user=request.user, person=child)
        placements = [asdict(p) for p in child_placements_view(user=request.user, child=child)]
        data = {
            "id": child.pk,
            "name": child.full_name,
            "birth_date": child.birth_date,
            "address_lines": contact.address_lines,
            "address_hidden": contact.address_hidden,
            "placements": placements,
            "permitted_actions": permitted_actions(user=request.user, target=child),
        }
        return Response(self.OutputSerializer(data).data)
