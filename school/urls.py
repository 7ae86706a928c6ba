from django.urls import path

from school import adapted_education_views, api, views

app_name = "school"

urlpatterns = [
    path("skole/", views.my_groups, name="my_groups"),
    path("skole/gruppe/<int:unit_id>/", views.group_page, name="group"),
    path("skole/elev/<int:child_id>/", views.pupil_page, name="pupil"),
    path("skole/elev/<int:child_id>/dokumentert/", views.pupil_absence_document, name="pupil_absence_document"),
    path("skole/gruppe/<int:unit_id>/fravaer/", views.absence_class, name="absence_class"),
    path("skole/<int:unit_id>/oversikt/", views.overview, name="overview"),
    path("skole/<int:unit_id>/belegg/", views.school_staffing, name="staffing"),
    path("skole/<int:unit_id>/kontor/", views.school_office, name="office"),
    path("skole/<int:unit_id>/forste-trinn/", views.first_grade_classes, name="first_grade_classes"),
    path("skole/<int:unit_id>/grupper/", views.school_groups, name="school_groups"),
    path("skole/skolearsskifte/", views.rollover_page, name="rollover"),
    path("skole/<int:unit_id>/permisjon/", views.school_leave, name="school_leave"),
    path("portal/skole/permisjon/", views.portal_leave, name="portal_leave"),
    path("skole/innskriving/", views.enrolment_office, name="enrolment_office"),
    path("skole/elev/<int:child_id>/flytt/", views.pupil_move, name="pupil_move"),
    path("skole/<int:unit_id>/flytting/<int:move_id>/", views.pupil_move_done, name="pupil_move_done"),
    path(
        "skole/<int:unit_id>/flytting/<int:move_id>/elevmappe/",
        views.pupil_record_transfer,
        name="pupil_record_transfer",
    ),
    path("portal/skole/skolestart/", views.portal_enrolment, name="portal_enrolment"),
    path("portal/skole/", views.portal_school, name="portal_school"),
    path("skole/iop/", adapted_education_views.iop_list, name="iop_list"),
    path("skole/iop/elev/<int:child_id>/", adapted_education_views.iop_pupil, name="iop_pupil"),
    path(
        "skole/iop/sakkyndig/<int:assessment_id>/",
        adapted_education_views.iop_assessment_document,
        name="iop_assessment_document",
    ),
    path("skole/iop/vedtak/<int:decision_id>/endre/", adapted_education_views.iop_decision_change, name="iop_change"),
    path("skole/iop/vedtak/<int:decision_id>/avslutt/", adapted_education_views.iop_decision_end, name="iop_end"),
    path("api/v1/school/elever", api.ElevListApi.as_view(), name="api_elever"),
    path("api/v1/school/basisgrupper", api.BasisgruppeListApi.as_view(), name="api_basisgrupper"),
    path(
        "api/v1/school/undervisningsgrupper", api.UndervisningsgruppeListApi.as_view(), name="api_undervisningsgrupper"
    ),
    path("api/v1/school/medlemskap", api.MedlemskapListApi.as_view(), name="api_medlemskap"),
    path("api/v1/school/fravaer", api.FravaerRegisterApi.as_view(), name="api_fravaer"),
    path("api/v1/school/elever/<int:pupil_id>/iop-vedtak", api.ElevIopVedtakListApi.as_view(), name="api_iop_vedtak"),
    path("api/v1/school/elever/<int:pupil_id>/iop-planer", api.ElevIopPlanListApi.as_view(), name="api_iop_planer"),
]
