from django.urls import path

from attendance import api, views

app_name = "attendance"

urlpatterns = [
    path("portal/fravaer/", views.portal_absence, name="portal_absence"),
    path("portal/fravaer/<int:child_id>/meld/", views.portal_absence_report, name="portal_absence_report"),
    path("portal/fravaer/melding/<int:report_id>/trekk/", views.portal_absence_cancel, name="portal_absence_cancel"),
    path("oppmote/", views.checkin_units, name="checkin_units"),
    path("oppmote/fravaer/", views.absences_today, name="absences_today"),
    path("oppmote/<int:unit_id>/", views.krysseliste, name="krysseliste"),
    path("oppmote/<int:unit_id>/fravaer/", views.krysseliste_absence, name="krysseliste_absence"),
    path("oppmote/<int:unit_id>/tap-token", views.tap_token, name="tap_token"),
    path("barnehage/<int:unit_id>/belegg/", views.occupancy, name="occupancy"),
    path("api/v1/attendance/check", api.AttendanceCheckApi.as_view(), name="api_check"),
    path("api/v1/attendance/absences", api.AbsenceReportApi.as_view(), name="api_absence"),
]
