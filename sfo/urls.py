from django.urls import path

from sfo import api

app_name = "sfo"

urlpatterns = [
    path("placements/sfo", api.SfoPlacementChangeApi.as_view(), name="api_placement_change"),
]
