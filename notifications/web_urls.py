"""The notifications' pages (names live in the "web" namespace)."""

from django.urls import path

from notifications import preferences_web

urlpatterns = [
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
