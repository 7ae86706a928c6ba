from django.urls import path

from oas.people import views

app_name = "people"

urlpatterns = [
    path("barn/<int:child_id>/bor-hos/", views.child_lives_with, name="child_lives_with"),
]
