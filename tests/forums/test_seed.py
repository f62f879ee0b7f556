"""The demo seed fills each network's forum in Arabic, French and English, once."""

from __future__ import annotations

import io

import pytest

from community.forums.models import Category, Post, Reaction, Topic
from community.forums.seed import seed_forums

pytestmark = pytest.mark.django_db


def test_seed_fills_every_network_once(public_network, private_network, member, moderator, banned):
    out = io.StringIO()
    users = {public_network.slug: [member, moderator, banned], private_network.pk: [member]}
    seed_forums([public_network, private_network], users, out)
    for network in (public_network, private_network):
        assert Category.objects.filter(network=network).count() == 3
        topics = Topic.objects.filter(network=network)
        assert topics.count() == 6
        assert topics.filter(pinned=True).count() == 1
        assert topics.filter(locked=True).count() == 1
        for topic in topics:
            assert topic.post_count == Post.objects.filter(topic=topic).count()
        bodies = " ".join(
            Post.objects.filter(topic__network=network).values_list("body", flat=True)
        )
        assert "مرحبا" in bodies and "Bienvenue" in bodies and "English" in bodies
    # Banned users never write; announcements come from moderators.
    assert not Post.objects.filter(author=banned).exists()
    assert not Reaction.objects.filter(user=banned).exists()
    assert "forum of germany" in out.getvalue()

    before = Post.objects.count()
    seed_forums([public_network, private_network], users, io.StringIO())
    assert Post.objects.count() == before
