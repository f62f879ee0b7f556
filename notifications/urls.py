from django.urls import path

from notifications import api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/unread-count/",
        api.UnreadCountView.as_view(),
        name="notifications-unread-count",
    ),
    path("notifications/read/", api.MarkReadView.as_view(), name="notifications-read"),
]
