"""The site's URLs plus one page marked sensitive, to exercise step-up."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from oas.access.markers import public
from oas.identity.stepup import require_loa_high
from oas.urls import urlpatterns as site_urlpatterns


@require_loa_high
def sensitive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("sensitiv side")


urlpatterns = [path("test-sensitive/", public(sensitive), name="test-sensitive"), *site_urlpatterns]
