"""Mail in the "your data" archive, and in an account's erasure (core.personal_data): the
mails sent or waiting for the person, and the address each went to, go with the account."""

from __future__ import annotations

from typing import Any

from core import personal_data
from mailer.models import Mail


@personal_data.section("mail")
def export_mail(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "kind": m["kind"],
            "to": m["to_address"],
            "status": m["status"],
            "created_at": m["created_at"].isoformat(),
            "sent_at": m["sent_at"].isoformat() if m["sent_at"] else None,
        }
        for m in Mail.objects.filter(user=user)
        .order_by("id")
        .values("kind", "to_address", "status", "created_at", "sent_at")
    ]


@personal_data.eraser("mail", order=90)
def erase_mail(user: Any, erase_content: bool) -> None:
    Mail.objects.filter(user=user).delete()
