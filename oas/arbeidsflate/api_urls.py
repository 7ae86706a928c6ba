from django.urls import path

from oas.arbeidsflate import api

urlpatterns = [
    path("tasks", api.WorkspaceTasksApi.as_view(), name="workspace-tasks"),
    path("snapshot", api.WorkspaceSnapshotApi.as_view(), name="workspace-snapshot"),
]
