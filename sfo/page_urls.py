"""SFO admission pages: /portal/sfo/… (guardians) and /sfo/opptak/… (sector office)."""

from django.urls import path

from sfo import views

app_name = "sfo_pages"

urlpatterns = [
    path("portal/sfo/", views.portal_sfo, name="portal"),
    path("portal/sfo/sok/<int:child_id>/", views.portal_sfo_apply, name="portal_apply"),
    path("portal/sfo/soknad/<int:application_id>/svar/", views.portal_sfo_answer, name="portal_answer"),
    path("portal/sfo/soknad/<int:application_id>/endre/", views.portal_sfo_change, name="portal_change"),
    path("portal/sfo/soknad/<int:application_id>/trekk/", views.portal_sfo_withdraw, name="portal_withdraw"),
    path("sfo/opptak/", views.office_sfo_rounds, name="office_rounds"),
    path("sfo/opptak/<int:round_id>/", views.office_sfo_round, name="office_round"),
    path("sfo/opptak/<int:round_id>/plasser/", views.office_sfo_round_capacity, name="office_round_capacity"),
    path("sfo/opptak/<int:round_id>/handling/", views.office_sfo_round_action, name="office_round_action"),
]
