"""Paths that must live at the site root: the service worker (its scope is the directory it is served from)."""

from django.urls import path

from messaging import views

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
]
