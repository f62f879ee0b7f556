"""Forum categories, topics and posts, created through the real actions."""

from __future__ import annotations

import itertools
from typing import Any

from community.forums import actions
from community.forums.models import Category, Post, Topic
from community.models import Network
from tests.factories.users import make_user

_counter = itertools.count(1)


def make_category(network: Network, actor: Any | None = None, **fields: Any) -> Category:
    """A category made by the network's first owner unless `actor` is given."""
    n = next(_counter)
    if actor is None:
        actor = network.memberships.filter(role="owner").first().user
    defaults: dict[str, Any] = {"name": f"Category {n}", "slug": f"category-{n}"}
    defaults.update(fields)
    return actions.do_create_category(actor, network, **defaults)


def make_topic(
    category: Category, author: Any, title: str | None = None, body: str = "Opening post."
) -> Topic:
    topic, _ = actions.do_create_topic(author, category, title or f"Topic {next(_counter)}", body)
    return topic


def make_post(topic: Topic, author: Any, body: str | None = None, **kwargs: Any) -> Post:
    return actions.do_reply(author, topic, body or f"Reply {next(_counter)}", **kwargs)


def make_poster(network: Network, name: str | None = None) -> Any:
    """A fresh active member of `network`."""
    from tests.factories.networks import add_member

    user = make_user(name)
    add_member(network, user)
    return user
