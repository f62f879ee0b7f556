from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailerConfig(AppConfig):
    name = "mailer"
    verbose_name = _("Outgoing mail")

    def ready(self) -> None:
        # The test mail's renderer, and the mail's part of the archive and the erasure.
        from mailer import check, personal_data  # noqa: F401
