from django.urls import path

from oas.arbeidsflate import views

app_name = "arbeidsflate"

urlpatterns = [
    path("", views.home, name="home"),
    path("barn/", views.children, name="children"),
    path("barn/<int:child_id>/", views.child_detail, name="child"),
]
