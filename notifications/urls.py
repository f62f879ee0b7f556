from django.urls import path

from notifications import api, preferences_api

urlpatterns = [
    path("notifications/", api.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/unread-count/",
        api.UnreadCountView.as_view(),
        name="notifications-unread-count",
    ),
    path("notifications/read/", api.MarkReadView.as_view(), name="notifications-read"),
    path(
        "notification-settings/",
        preferences_api.NotificationSettingsView.as_view(),
        name="notification-settings",
    ),
]
