"""URLconf for the deny-by-default tests: the real site plus views that declare nothing."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import View
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from oas.access.markers import ActionRequiredMixin, requires


def undeclared(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret")


class UndeclaredClassView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("secret")


class DeclaredClassView(ActionRequiredMixin, View):
    required_actions = ("audit.search",)

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


class UndeclaredApi(APIView):
    def get(self, request: Request) -> Response:
        return Response({"secret": True})


class AllowAnyButUndeclaredApi(APIView):
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"secret": True})


class AllowAnyDeclaredApi(APIView):
    required_actions = ("audit.search",)
    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"secret": True})


@requires("audit.search")
def declared(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("test/undeclared/", undeclared),
    path("test/undeclared-class/", UndeclaredClassView.as_view()),
    path("test/declared-class/", DeclaredClassView.as_view()),
    path("test/declared/", declared),
    path("api/test/undeclared", UndeclaredApi.as_view()),
    path("api/test/allowany", AllowAnyButUndeclaredApi.as_view()),
    path("api/test/allowany-declared", AllowAnyDeclaredApi.as_view()),
    path("", include("oas.urls")),
]
