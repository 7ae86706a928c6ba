from django.urls import path

from sfo import placement_views

app_name = "sfo_placements"

urlpatterns = [
    path("sfo/<int:unit_id>/plasser/", placement_views.sfo_placements, name="unit"),
]
