"""Kernel views: health and the landing page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from oas.access.markers import public
from oas.health import health_report


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report PostgreSQL, Redis and Celery; 200 when all are healthy, else 503."""
    ok, checks = health_report()
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Public front page with the two entrances (staff, guardians)."""
    return render(request, "home.html")
