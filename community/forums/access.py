"""Who may read and do what in a network's forum, built on `permissions.checks`.

`access_*` return the object or raise NotFound: a topic of a network you may not
read looks exactly like a missing one (a banned member of a public network gets
the network's 403 "banned" instead). `check_can_*` raise NotAllowed (403) for
things you can see but not do. The roles and statuses themselves are decided in
`permissions.checks`; this module only adds the forum's own rules: locked topics,
moderators-only categories, authorship. Whose words a moderator may change (those of
a lower rank) is `checks.may_moderate_words_of`, asked by every edit, delete and restore.
"""

from __future__ import annotations

from typing import Any

from community.forums.models import Category, Post, Topic
from community.models import Network
from core.errors import NotAllowed, NotFound
from core.validation import is_int
from permissions import checks
from permissions.checks import AnyUser


def _as_id(value: Any) -> int:
    if not (is_int(value) or isinstance(value, str)):
        raise NotFound()
    try:
        number = int(value)
    except ValueError:
        raise NotFound() from None
    if not 0 < number < 2**63:
        raise NotFound()
    return number


def _check_network_readable(user: AnyUser, network: Network) -> None:
    if not checks.may_see_network(user, network):
        raise NotFound()
    checks.check_can_read(user, network)


def access_category(user: AnyUser, network: Network, category_id: Any) -> Category:
    """A category of a network whose content the caller already may read."""
    category = Category.objects.filter(pk=_as_id(category_id), network=network).first()
    if category is None:
        raise NotFound()
    category.network = network
    return category


def access_topic(user: AnyUser, topic_id: Any) -> Topic:
    """The topic if its network's content is readable; deleted topics only for moderators."""
    topic = (
        Topic.objects.select_related("network", "category", "author__profile")
        .filter(pk=_as_id(topic_id))
        .first()
    )
    if topic is None:
        raise NotFound()
    _check_network_readable(user, topic.network)
    if topic.deleted and not checks.may_moderate_forums(user, topic.network):
        raise NotFound()
    return topic


def access_post(user: AnyUser, post_id: Any) -> Post:
    """The post if its topic is readable; a deleted post stays addressable (as deleted)."""
    post = (
        Post.objects.select_related(
            "topic__network", "topic__category", "author__profile", "deleted_by"
        )
        .filter(pk=_as_id(post_id))
        .first()
    )
    if post is None:
        raise NotFound()
    network = post.topic.network
    _check_network_readable(user, network)
    if post.topic.deleted and not checks.may_moderate_forums(user, network):
        raise NotFound()
    return post


# --- what the caller may do -------------------------------------------------------------


def check_can_create_category(user: AnyUser, network: Network) -> None:
    """Moderators (and staff) organize the forum."""
    checks.check_can_read(user, network)
    checks.check_can_moderate_forums(user, network)


def check_can_open_topic(user: AnyUser, category: Category) -> None:
    """Active, unmuted members open topics; `moderators_only_post` categories: moderators only."""
    network = category.network
    checks.check_can_participate(user, network)
    if category.moderators_only_post and not checks.may_moderate_forums(user, network):
        raise NotAllowed("moderators_only", "Only moderators may open topics in this category.")


def check_can_reply(user: AnyUser, topic: Topic) -> None:
    """Active, unmuted members reply; a locked topic takes replies from moderators only."""
    network = topic.network
    checks.check_can_participate(user, network)
    if topic.locked and not checks.may_moderate_forums(user, network):
        raise NotAllowed("topic_locked", "This topic is locked: it takes no new replies.")


def is_author(user: AnyUser, author_id: int | None) -> bool:
    return user.is_authenticated and author_id is not None and author_id == user.pk


def _moderates_words(user: AnyUser, network: Network, author_id: int | None) -> bool:
    """Does the user act on these words as a moderator? True for a moderator on their own
    words or on those of a lower rank; a moderator facing an equal or a higher rank gets
    NotAllowed("rank"); False for everyone else, who goes by the author's rules."""
    if not checks.may_moderate_forums(user, network):
        return False
    if not is_author(user, author_id):
        checks.check_can_moderate_words_of(user, network, author_id)
    return True


def check_can_moderate_topic(user: AnyUser, topic: Topic) -> None:
    """Pin, lock and move topics: moderators and staff (deleting: check_can_take_down_topic)."""
    checks.check_can_moderate_forums(user, topic.network)


def check_can_take_down_topic(user: AnyUser, topic: Topic) -> None:
    """Delete and restore a topic: moderators, but not one an equal or a higher rank opened
    (its first post is that person's words)."""
    checks.check_can_moderate_forums(user, topic.network)
    _moderates_words(user, topic.network, topic.author_id)


def check_can_rename_topic(user: AnyUser, topic: Topic) -> None:
    """The author (while they may post and the topic is open) or a moderator of a lower
    rank than the author edits the title."""
    network = topic.network
    if _moderates_words(user, network, topic.author_id):
        return
    if not is_author(user, topic.author_id):
        raise NotAllowed("not_author", "Only the author or a moderator may edit this title.")
    checks.check_can_participate(user, network)
    if topic.locked:
        raise NotAllowed("topic_locked", "This topic is locked: it can no longer be edited.")


def check_can_edit_post(user: AnyUser, post: Post) -> None:
    """The author (while they may post and the topic is open) or a moderator edits a post;
    a moderator only the posts of members below them (never an owner's or another
    moderator's; an owner never another owner's)."""
    topic = post.topic
    network = topic.network
    if _moderates_words(user, network, post.author_id):
        return
    if not is_author(user, post.author_id):
        raise NotAllowed("not_author", "Only the author or a moderator may edit this post.")
    checks.check_can_participate(user, network)
    if topic.locked:
        raise NotAllowed("topic_locked", "This topic is locked: its posts can no longer change.")


def check_can_delete_post(user: AnyUser, post: Post) -> None:
    """The author or a moderator of a lower rank than the author deletes a post (a muted
    author may still take theirs down)."""
    network = post.topic.network
    if _moderates_words(user, network, post.author_id):
        return
    if not is_author(user, post.author_id):
        raise NotAllowed("not_author", "Only the author or a moderator may delete this post.")
    membership = checks.get_membership(user, network)
    if membership is None or not membership.is_active:
        raise NotAllowed("not_member", "Only members of this network may do this.")


def check_can_restore_post(user: AnyUser, post: Post) -> None:
    """Moderators bring back deleted posts, of members below them or their own."""
    network = post.topic.network
    checks.check_can_moderate_forums(user, network)
    _moderates_words(user, network, post.author_id)


def check_can_react(user: AnyUser, post: Post) -> None:
    """Active, unmuted members react."""
    checks.check_can_participate(user, post.topic.network)


def check_can_unreact(user: AnyUser, post: Post) -> None:
    """Anyone who still reads the network may take back their own reaction (muted too)."""
    checks.check_can_read(user, post.topic.network)


def check_can_watch(user: AnyUser, topic: Topic) -> None:
    """Whoever reads a topic may watch it (members, and anyone signed in on a public network)."""
    if not user.is_authenticated:
        raise NotFound()
    _check_network_readable(user, topic.network)


def may_see_deleted(user: AnyUser, network: Network) -> bool:
    """Moderators read the body of deleted posts (to decide on restoring them)."""
    return checks.may_moderate_forums(user, network)


def may_read_revisions(user: AnyUser, post: Post) -> bool:
    return is_author(user, post.author_id) or checks.may_moderate_forums(user, post.topic.network)
