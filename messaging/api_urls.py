from django.urls import path

from messaging import api

urlpatterns = [
    path("threads", api.ThreadListApi.as_view(), name="messaging-threads"),
    path("threads/new", api.ThreadStartApi.as_view(), name="messaging-thread-start"),
    path("threads/<int:thread_id>", api.ThreadDetailApi.as_view(), name="messaging-thread"),
    path("threads/<int:thread_id>/messages", api.MessageCreateApi.as_view(), name="messaging-message-create"),
    path("notices", api.NoticeCreateApi.as_view(), name="messaging-notice-create"),
]
