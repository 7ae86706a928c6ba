from django.urls import path

from invoicing import api, portal_views, split_views, views

app_name = "invoicing"

urlpatterns = [
    path("fakturering/", views.runs, name="runs"),
    path("fakturering/fakturer/", views.run_commit, name="run_commit"),
    path("fakturering/soknader/", views.applications, name="applications"),
    path("fakturering/soknader/<int:application_id>/vedtak/", views.application_decide, name="application_decide"),
    path("portal/faktura/", portal_views.portal_invoices, name="portal_invoices"),
    path(
        "fakturering/soknader/<int:application_id>/dokumentasjon/",
        views.application_documentation,
        name="application_documentation",
    ),
    path("fakturering/sosken/", views.manual_siblings, name="manual_siblings"),
    path("fakturering/sosken/<int:link_id>/avslutt/", views.manual_sibling_end, name="manual_sibling_end"),
    path("portal/redusert-betaling/", views.portal_application, name="portal_application"),
    path("portal/delt-faktura/", split_views.portal_split_request, name="portal_split"),
    path("fakturering/delt-faktura/", split_views.split_requests, name="split_requests"),
    path("fakturering/delt-faktura/<int:request_id>/vedtak/", split_views.split_request_decide, name="split_decide"),
    path("api/v1/invoicing/runs/preview", api.InvoiceRunPreviewApi.as_view(), name="api_run_preview"),
    path("api/v1/invoicing/runs/commit", api.InvoiceRunCommitApi.as_view(), name="api_run_commit"),
]
