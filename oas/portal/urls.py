from django.urls import path

from oas.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("barn/<int:child_id>/", views.child_detail, name="child"),
    path("barn/<int:child_id>/innsyn/", views.innsyn, name="innsyn"),
]
