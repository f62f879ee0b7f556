"""Notifications in the "your data" archive, and in an account's erasure
(core.personal_data): what was addressed to the person goes, with their email choices;
what they caused others to be told stays theirs, under "Deleted member"."""

from __future__ import annotations

from typing import Any

from core import personal_data
from notifications.models import NetworkEmailSetting, Notification, NotificationSettings


@personal_data.section("notifications")
def export_notifications(user: Any) -> dict[str, Any]:
    rows = (
        Notification.objects.filter(recipient=user)
        .select_related("network", "actor")
        .order_by("id")
        .iterator(chunk_size=1000)
    )
    settings = NotificationSettings.objects.filter(user=user).first()
    return {
        "received": [
            {
                "kind": n.kind,
                "network": n.network.slug if n.network else None,
                "actor": n.actor.get_username() if n.actor else None,
                "target": {"type": n.target_type, "id": n.target_id} if n.target_type else None,
                "data": n.data,
                "created_at": personal_data.iso(n.created_at),
                "read_at": personal_data.iso(n.read_at),
            }
            for n in rows
        ],
        "email": {
            "mode": settings.email if settings else "instant",
            "kinds": settings.kinds if settings else {},
            "networks": {
                s.network.slug: s.email
                for s in NetworkEmailSetting.objects.filter(user=user).select_related("network")
            },
        },
    }


@personal_data.eraser("notifications", order=80)
def erase_notifications(user: Any, erase_content: bool) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    NetworkEmailSetting.objects.filter(user=user).delete()
