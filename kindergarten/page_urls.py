"""Admission pages: /portal/barnehage/… (guardians) and /barnehage/opptak/… (sector office)."""

from django.urls import path

from kindergarten import views

app_name = "kindergarten_pages"

urlpatterns = [
    path("portal/barnehage/", views.portal_overview, name="portal"),
    path("portal/barnehage/sok/<int:child_id>/", views.portal_apply, name="portal_apply"),
    path("portal/barnehage/soknad/<int:application_id>/", views.portal_application, name="portal_application"),
    path("portal/barnehage/soknad/<int:application_id>/endre/", views.portal_change, name="portal_change"),
    path("portal/barnehage/soknad/<int:application_id>/trekk/", views.portal_withdraw, name="portal_withdraw"),
    path("portal/barnehage/tilbud/<int:offer_id>/svar/", views.portal_offer_answer, name="portal_offer_answer"),
    path("portal/barnehage/barn/<int:child_id>/si-opp/", views.portal_terminate, name="portal_terminate"),
    path("barnehage/opptak/", views.office_rounds, name="office_rounds"),
    path("barnehage/opptak/<int:round_id>/", views.office_round, name="office_round"),
    path("barnehage/opptak/<int:round_id>/kapasitet/", views.office_round_capacity, name="office_round_capacity"),
    path("barnehage/opptak/<int:round_id>/handling/", views.office_round_action, name="office_round_action"),
    path("barnehage/opptak/<int:round_id>/las/", views.office_lock, name="office_lock"),
    path("barnehage/opptak/godkjenning/", views.unit_approvals, name="unit_approvals"),
    path("barnehage/opptak/godkjenning/<int:unit_id>/", views.unit_approve, name="unit_approve"),
    path("barnehage/opptak/soknader/", views.office_applications, name="office_applications"),
    path("barnehage/opptak/soknader/<int:application_id>/", views.office_application, name="office_application"),
    path("barnehage/klage/<int:application_id>/", views.appeal_register, name="appeal_register"),
    path("barnehage/klage/avgjor/<int:appeal_id>/", views.appeal_decide, name="appeal_decide"),
    path("barnehage/opptak/grunnlag/<int:ground_id>/kontroll/", views.office_ground_check, name="office_ground_check"),
    path("barnehage/opptak/vedlegg/<int:attachment_id>/", views.office_attachment, name="office_attachment"),
]
