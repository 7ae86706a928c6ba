from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("vurdering/", views.my_groups, name="my_groups"),
    path("vurdering/gruppe/<int:unit_id>/", views.group_page, name="group"),
    path("vurdering/klasse/<int:unit_id>/", views.class_page, name="class"),
    path("vurdering/klasse/<int:unit_id>/varsel/", views.warning_page, name="warning"),
    path("vurdering/klasse/<int:unit_id>/samtaler/", views.talks_page, name="talks"),
    path("vurdering/skole/<int:unit_id>/", views.school_page, name="school"),
    path("vurdering/klage/<int:appeal_id>/", views.appeal_process_page, name="appeal_process"),
    path("vurdering/klager/", views.appeals_waiting_page, name="appeals_waiting"),
    path("vurdering/skole/<int:unit_id>/vitnemal/", views.certificates_page, name="certificates"),
    path("vurdering/skole/<int:unit_id>/eksamen/", views.exams_page, name="exams"),
    path("vurdering/vitnemal/<int:certificate_id>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("portal/vurdering/", views.portal_page, name="portal"),
    path("portal/vurdering/vitnemal/<int:certificate_id>/", views.portal_certificate_pdf, name="portal_certificate"),
    path("portal/vurdering/klage/<int:grade_id>/", views.appeal_page, name="appeal"),
]
