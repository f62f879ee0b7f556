"""The test mail of `manage.py mailcheck`: proof that the outbox, the jobs and SMTP work."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext_lazy as _

from mailer import compose, registry
from mailer.models import Mail

KIND = "mailer.check"


@registry.renderer(KIND)
def render(mail: Mail) -> EmailMultiAlternatives:
    return compose.message(
        to=mail.to_address,
        subject=_("Shabaka test mail"),
        template="mailer/check",
        context={"note": str(mail.payload.get("note", ""))[:200]},
        language=mail.language,
    )
