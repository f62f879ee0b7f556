"""A small forum in each persona network: a category, a topic opened by `member`, a reply."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from community.forums.models import Category, Post, Topic
from community.models import Network
from tests.factories.forums import make_category, make_post, make_topic


@dataclass
class Forum:
    network: Network
    category: Category
    topic: Topic
    first_post: Post
    reply: Post


@pytest.fixture
def make_forum(owner: Any, member: Any) -> Callable[[Network], Forum]:
    def build(network: Network) -> Forum:
        category = make_category(network, owner, name="Général", slug="general")
        topic = make_topic(
            category,
            member,
            "Télémédecine : appel à experts",
            "Qui travaille sur la télémédecine ?",
        )
        first_post = topic.posts.get()
        reply = make_post(topic, member, "Moi ! I run a clinic in Montréal.")
        return Forum(network, category, topic, first_post, reply)

    return build


@pytest.fixture
def public_forum(public_network: Network, make_forum: Callable[[Network], Forum]) -> Forum:
    return make_forum(public_network)


@pytest.fixture
def private_forum(private_network: Network, make_forum: Callable[[Network], Forum]) -> Forum:
    return make_forum(private_network)


@pytest.fixture
def hidden_forum(hidden_network: Network, make_forum: Callable[[Network], Forum]) -> Forum:
    return make_forum(hidden_network)
