"""Membership changes move a member in or out of directories: re-index them.

A member's document lists the networks they are active in (who may find them, and
who counts as a co-member), so it must change whenever one of their memberships
becomes or stops being active. Those writes belong to community's actions, where an
explicit `search.outbox.enqueue` per action would be the house style (as profile,
forum and chat actions do). Model signals are used instead because every membership
write there funnels through two ORM calls (`Membership.objects.create` and the
`.save()` in `save_membership`), both of which send them inside the action's
transaction, and because cascades (a network or a user deleted) send `post_delete`
for each membership without any action running. What a signal cannot see —
`QuerySet.update` or `bulk_create` on memberships — nothing in the project uses.

The receivers only act on what changes a document: a membership created active,
turned active or not, or deleted while active. Joining requests and invitations
(created pending or invited), role changes and mutes cost nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_init, post_save

from community.models import Membership
from directory.models import Profile
from search import outbox

ACTIVE = Membership.Status.ACTIVE


def _was_active(instance: Membership) -> bool | None:
    """Whether the row was active when loaded; None when unknown (status not loaded)."""
    return instance.__dict__.get("_search_was_active")


def _membership_loaded(sender: Any, instance: Membership, **kwargs: Any) -> None:
    # A deferred status (`.only(...)`) is not read here: that would cost a query per row.
    if "status" in instance.__dict__:
        instance._search_was_active = instance.pk is not None and instance.status == ACTIVE  # type: ignore[attr-defined]


def _membership_saved(
    sender: Any, instance: Membership, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and "status" not in update_fields:
        return
    active = instance.status == ACTIVE
    if _was_active(instance) != active:
        outbox.enqueue("members", [instance.user_id])
    instance._search_was_active = active  # type: ignore[attr-defined]


def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    if _was_active(instance) is not False:
        outbox.enqueue("members", [instance.user_id])


def _profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    outbox.enqueue("members", [instance.user_id])


def connect() -> None:
    post_init.connect(_membership_loaded, sender=Membership, dispatch_uid="search.membership_i")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid="search.membership")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid="search.membership_d")
    post_delete.connect(_profile_deleted, sender=Profile, dispatch_uid="search.profile_deleted")
