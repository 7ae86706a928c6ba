from django.urls import path

from oas.access import api

urlpatterns = [
    path("children/<int:child_id>", api.ChildDetailApi.as_view(), name="child-detail"),
]
