"""A probe view for tests/kernel/test_db_pool.py: holds a database connection for a moment, like a real request."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path

from oas.access.markers import public


@public
def probe(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid(), pg_sleep(0.05)")
        row = cursor.fetchone()
    assert row is not None
    return JsonResponse({"pid": row[0]})


urlpatterns = [path("pool-probe/", probe)]
