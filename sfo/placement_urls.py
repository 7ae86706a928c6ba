from django.urls import path

from sfo import placement_views

app_name = "sfo_placements"

urlpatterns = [
    path("sfo/plasser/ny/", placement_views.sfo_placement_new, name="new"),
    path("sfo/<int:unit_id>/plasser/", placement_views.sfo_placements, name="unit"),
]
