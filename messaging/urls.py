from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("", views.staff_inbox, name="staff-inbox"),
    path("ny/", views.staff_thread_new, name="staff-thread-new"),
    path("ny/barn/", views.child_search, name="child-search"),
    path("<int:thread_id>/", views.staff_thread, name="staff-thread"),
    path("postkasse/<int:unit_id>/", views.mailbox_settings, name="mailbox-settings"),
    path("oppslag/ny/", views.notice_compose, name="notice-compose"),
    path("oppslag/sendte/", views.notices_sent, name="notices-sent"),
    path("oppslag/sendte/<int:notice_id>/", views.notice_read_status, name="notice-read-status"),
    path("oppslag/<int:notice_id>/godkjenn/", views.notice_approve, name="notice-approve"),
    path("melding/<int:message_id>/trekk-tilbake/", views.message_recall, name="message-recall"),
    path("vedlegg/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("portal/", views.guardian_inbox, name="guardian-inbox"),
    path("portal/ny/", views.guardian_thread_new, name="guardian-thread-new"),
    path("portal/<int:thread_id>/", views.guardian_thread, name="guardian-thread"),
    path("portal/oppslag/<int:notice_id>/", views.guardian_notice, name="guardian-notice"),
    path("innstillinger/", views.notification_settings, name="settings"),
    path("innstillinger/push/", views.push_subscription_add, name="push-subscribe"),
    path("innstillinger/push/slett/", views.push_subscription_remove, name="push-unsubscribe"),
    path("kalender/", views.calendar_page, name="calendar"),
    path("kalender/hendelser/", views.event_manage, name="event-manage"),
    path("kalender/hendelser/<int:event_id>/", views.event_edit, name="event-edit"),
    path("kalender/hendelser/<int:event_id>/avlys/", views.event_cancel, name="event-cancel"),
    path("kalender/<str:token>.ics", views.ics_feed, name="ics"),
]
