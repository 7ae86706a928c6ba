from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("folkeregisteret/endringer/", views.register_changes, name="register_changes"),
    path(
        "folkeregisteret/endringer/<int:notice_id>/behandlet/",
        views.register_change_resolve,
        name="register_change_resolve",
    ),
]
