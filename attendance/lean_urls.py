"""The check-in tap for the lean handler (``oas/wsgi.py``): the same path as in ``attendance/urls.py``."""

from django.urls import path

from attendance import api

app_name = "attendance"

urlpatterns = [
    path("api/v1/attendance/check", api.attendance_check_view, name="api_check"),
]
