"""Web pages of notifications (names live in the "web" namespace)."""

from django.urls import path

from notifications import preferences_web, web

urlpatterns = [
    path("notifications/", web.notification_list, name="notifications"),
    path("notifications/menu/", web.menu, name="notifications-menu"),
    path("notifications/read-all/", web.mark_all_read, name="notifications-read-all"),
    path(
        "notifications/<int:notification_id>/read/",
        web.mark_one_read,
        name="notification-read",
    ),
    path(
        "notifications/<int:notification_id>/open/",
        web.open_notification,
        name="notification-open",
    ),
    path(
        "account/notifications/",
        preferences_web.settings_page,
        name="notification-settings",
    ),
    path(
        "notifications/unsubscribe/<str:signed>/",
        preferences_web.unsubscribe_page,
        name="notifications-unsubscribe",
    ),
]
