"""JSON for the municipality's employee portal: ``/api/v1/workspace/tasks`` and ``/snapshot``."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.arbeidsflate.selectors import leader_snapshots, workspace_tasks


class WorkspaceTasksApi(APIView):
    """The user's arbeidsflate tasks (role-aware, counts and deep links)."""

    required_actions = ("workspace.view",)

    class TaskSerializer(serializers.Serializer):
        key = serializers.CharField()
        title = serializers.CharField()
        count = serializers.IntegerField()
        url = serializers.CharField()
        module = serializers.CharField()
        severity = serializers.ChoiceField(choices=["info", "warning", "danger"])
        unit_id = serializers.IntegerField(allow_null=True)

    @extend_schema(responses=TaskSerializer(many=True), operation_id="workspace_tasks")
    def get(self, request: Request) -> Response:
        tasks = workspace_tasks(user=request.user)
        data = [{k: v for k, v in asdict(t).items() if k != "details"} for t in tasks]
        return Response(self.TaskSerializer(data, many=True).data)


class WorkspaceSnapshotApi(APIView):
    """The leader snapshot (øyeblikksbilde) per unit the user leads; empty for others."""

    required_actions = ("workspace.view",)

    class SnapshotSerializer(serializers.Serializer):
        unit_id = serializers.IntegerField()
        unit_name = serializers.CharField()
        children_placed_today = serializers.IntegerField()
        children_starting_next_30_days = serializers.IntegerField()
        staff_employed_today = serializers.IntegerField()
        protected_address_children = serializers.IntegerField()
        open_tasks = serializers.IntegerField()

    @extend_schema(responses=SnapshotSerializer(many=True), operation_id="workspace_snapshot")
    def get(self, request: Request) -> Response:
        return Response(
            self.SnapshotSerializer([asdict(s) for s in leader_snapshots(user=request.user)], many=True).data
        )
