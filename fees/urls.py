"""URLs of the fees app: the public price calculator page and its API."""

from django.urls import path

from . import api, views

app_name = "fees"

urlpatterns = [
    path("priskalkulator/", views.calculator, name="calculator"),
    path("api/v1/fees/quote", api.fee_quote_api, name="quote"),
]
