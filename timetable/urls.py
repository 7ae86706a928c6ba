from django.urls import path

from timetable import api, views

app_name = "timetable"

urlpatterns = [
    path("timeplan/skole/<int:unit_id>/", views.school_versions, name="school"),
    path("timeplan/versjon/<int:version_id>/", views.version_page, name="version"),
    path("timeplan/versjon/<int:version_id>/uke/", views.week_grid, name="week"),
    path("timeplan/versjon/<int:version_id>/csv/", views.week_csv, name="csv"),
    path("timeplan/versjon/<int:version_id>/fet/", views.version_fet, name="fet"),
    path("timeplan/versjon/<int:version_id>/data/<str:kind>/", views.version_data, name="data"),
    path("timeplan/versjon/<int:version_id>/data/<str:kind>/<int:obj_id>/", views.version_data, name="data_edit"),
    path("timeplan/kjoring/<int:run_id>/", views.run_status, name="run"),
    path("timeplan/time/<int:lesson_id>/", views.lesson_edit, name="lesson"),
    path("timeplan/mine/", views.my_week, name="mine"),
    path("timeplan/ics/<str:token>/", views.ics_feed, name="ics"),
    path("portal/timeplan/", views.portal_week, name="portal"),
    path("api/v1/timetable/versjoner", api.TimetableVersionListApi.as_view(), name="api_versions"),
    path("api/v1/timetable/versjoner/<int:version_id>/timer", api.TimetableLessonListApi.as_view(), name="api_lessons"),
    path("api/v1/timetable/mine", api.TimetableMineApi.as_view(), name="api_mine"),
    path("api/v1/timetable/barn/<int:child_id>", api.TimetableChildApi.as_view(), name="api_child"),
]
