from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailerConfig(AppConfig):
    name = "mailer"
    verbose_name = _("Outgoing mail")

    def ready(self) -> None:
        from mailer import check  # noqa: F401 - registers the test mail's renderer
