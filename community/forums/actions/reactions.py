"""Reacting to posts with one emoji each (a member may use several different ones)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from community.emoji import check_emoji
from community.forums import access, events
from community.forums.models import Post, Reaction
from core.errors import NotFound, StateConflict


def _count(post: Post, emoji: str) -> int:
    return Reaction.objects.filter(post=post, emoji=emoji).count()


@transaction.atomic
def do_add_reaction(actor: User, post: Post, emoji: Any) -> tuple[Reaction, bool]:
    """React to a visible, not deleted post; reacting twice with the same emoji changes nothing.

    Returns the reaction and whether it was created now.
    """
    access.check_can_react(actor, post)
    emoji = check_emoji(emoji)
    if post.deleted:
        raise StateConflict("post_deleted", "A deleted post takes no reactions.")
    existing = Reaction.objects.filter(post=post, user=actor, emoji=emoji).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(post=post, user=actor, emoji=emoji)
    except IntegrityError:
        # The same member reacted in a parallel request: one row, as if sent once.
        return Reaction.objects.get(post=post, user=actor, emoji=emoji), False
    events.reaction_event("reaction_added", post, emoji, actor, _count(post, emoji))
    return reaction, True


@transaction.atomic
def do_remove_reaction(actor: User, post: Post, emoji: Any) -> None:
    """Take back one's own reaction; 404 if there was none."""
    access.check_can_unreact(actor, post)
    emoji = check_emoji(emoji)
    deleted, _ = Reaction.objects.filter(post=post, user=actor, emoji=emoji).delete()
    if not deleted:
        raise NotFound("You have not reacted to this post with this emoji.")
    events.reaction_event("reaction_removed", post, emoji, actor, _count(post, emoji))
