"""Every write to the forums. `check_*` validate, `do_*` write, audit and notify after commit.

The REST API, the admin and the demo seed call these; nothing else writes Category,
Topic, Post, PostRevision, Reaction or Mention rows. Split by topic: categories,
topics, posts, reactions.
"""

from community.forums.actions._text import MAX_BODY_BYTES, MAX_TITLE_CHARS, check_body, check_title
from community.forums.actions.categories import do_create_category, do_update_category
from community.forums.actions.posts import do_delete_post, do_edit_post, do_reply, do_restore_post
from community.forums.actions.reactions import check_emoji, do_add_reaction, do_remove_reaction
from community.forums.actions.topics import (
    do_create_topic,
    do_delete_topic,
    do_restore_topic,
    do_update_topic,
)
from community.forums.actions.watching import do_set_watching

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_TITLE_CHARS",
    "check_body",
    "check_emoji",
    "check_title",
    "do_add_reaction",
    "do_create_category",
    "do_create_topic",
    "do_delete_post",
    "do_delete_topic",
    "do_edit_post",
    "do_remove_reaction",
    "do_reply",
    "do_restore_post",
    "do_restore_topic",
    "do_set_watching",
    "do_update_category",
    "do_update_topic",
]
