from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # The mail renderers (mailer.registry) and the digest's own sections.
        from notifications import mail, personal_data  # noqa: F401
