from django.urls import path

from kindergarten import placement_views

app_name = "kindergarten_placements"

urlpatterns = [
    path("barnehage/plasser/ny/", placement_views.kindergarten_placement_new, name="new"),
    path("barnehage/<int:unit_id>/plasser/", placement_views.kindergarten_placements, name="unit"),
]
