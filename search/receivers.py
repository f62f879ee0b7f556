"""Membership changes move a member in or out of directories: re-index them.

Memberships are written by community's actions (and fixtures); a model signal runs
inside the same transaction as that write, so the member's documents can never
disagree with their memberships, without every membership action having to know
about search.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from community.models import Membership
from directory.models import Profile
from search import outbox


def _membership_changed(sender: Any, instance: Membership, **kwargs: Any) -> None:
    outbox.enqueue("members", [instance.user_id])


def _profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    outbox.enqueue("members", [instance.user_id])


def connect() -> None:
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="search.membership")
    post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="search.membership_d")
    post_delete.connect(_profile_deleted, sender=Profile, dispatch_uid="search.profile_deleted")
