"""JSON for the municipality's employee portal: ``/api/v1/workspace/tasks`` and ``/snapshot``.

Both read the same figures as the arbeidsflate page (``workspace_figures``: reused for ARBEIDSFLATE_CACHE_SECONDS,
refreshed stale-while-revalidate); every item says when its figures were computed (``computed_at``).
"""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.arbeidsflate.selectors import workspace_figures


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
        computed_at = serializers.DateTimeField(help_text="When the figures were computed (they may be reused).")

    @extend_schema(responses=TaskSerializer(many=True), operation_id="workspace_tasks")
    def get(self, request: Request) -> Response:
        figures = workspace_figures(user=request.user)
        data = [
            {**{k: v for k, v in asdict(t).items() if k != "details"}, "computed_at": figures.computed_at}
            for t in figures.tasks
        ]
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
        computed_at = serializers.DateTimeField(help_text="When the figures were computed (they may be reused).")

    @extend_schema(responses=SnapshotSerializer(many=True), operation_id="workspace_snapshot")
    def get(self, request: Request) -> Response:
        figures = workspace_figures(user=request.user)
        data = [{**asdict(s), "computed_at": figures.computed_at} for s in figures.snapshots]
        return Response(self.SnapshotSerializer(data, many=True).data)
