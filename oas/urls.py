"""URL configuration. Each part mounts its own urls module."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from oas import views
from oas.access.markers import public

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", public(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/v1/workspace/", include("oas.arbeidsflate.api_urls")),
    path("api/v1/", include("oas.access.urls")),
    path("arbeidsflate/", include("oas.arbeidsflate.urls")),
    path("portal/", include("oas.portal.urls")),
    path("personer/", include("oas.people.urls")),  # /personer/barn/<id>/bor-hos/
    path("meldinger/", include("messaging.urls")),
    path("api/v1/messaging/", include("messaging.api_urls")),
    path("", include("messaging.root_urls")),  # /sw.js (service worker for web push)
    path("integrasjoner/", include("integrations.urls")),
    path("admin/", admin.site.urls),
    path("", include("oas.identity.urls")),  # /login/…, /logout/
    path("", include("fees.urls")),  # /priskalkulator/, /api/v1/fees/quote
    path("", include("attendance.urls")),  # /oppmote/…, /api/v1/attendance/…
    path("", include("school.urls")),  # /skole/…, /portal/skole/, /api/v1/school/…
    path("", include("timetable.urls")),  # /timeplan/…, /portal/timeplan/, /api/v1/timetable/…
    path("", include("assessment.urls")),  # /vurdering/…, /portal/vurdering/
    path("api/v1/", include("kindergarten.urls")),  # /api/v1/placements/kindergarten
    path("api/v1/", include("sfo.urls")),  # /api/v1/placements/sfo
    path("", include("invoicing.urls")),  # /fakturering/…, /portal/redusert-betaling/
    path("", include("kindergarten.page_urls")),  # /portal/barnehage/…, /barnehage/opptak/…
    path("", include("sfo.page_urls")),  # /portal/sfo/…, /sfo/opptak/…
    path("", include("kindergarten.placement_urls")),  # /barnehage/<id>/plasser/
    path("", include("sfo.placement_urls")),  # /sfo/<id>/plasser/
    path("meny/<slug:key>/", views.nav_section, name="nav-section"),
    path("meny/<slug:key>/enheter/", views.nav_units, name="nav-units"),
    path("innstillinger/", views.settings_page, name="settings"),
    path("om/tilgjengelighet/", views.accessibility_statement, name="accessibility"),
    path("om/personvern/", views.privacy_statement, name="privacy"),
    path("", views.home, name="home"),
]
