"""URLs served by the lean handler (``oas/wsgi.py``): hot API endpoints, each also in ``oas/urls.py``.

Each app's lean urlconf is included by name (as in ``oas/urls.py``), so the kernel imports no domain app.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("attendance.lean_urls")),  # POST /api/v1/attendance/check (the krysseliste's tap)
]
