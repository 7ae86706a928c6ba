from django.urls import path

from kindergarten import api

app_name = "kindergarten"

urlpatterns = [
    path("placements/kindergarten", api.KindergartenPlacementChangeApi.as_view(), name="api_placement_change"),
]
