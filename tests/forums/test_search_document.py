"""Topics and posts in GET /api/v1/search/ (community.forums.search): only what the caller
may read, built from rows that are still visible, whatever the index still holds.

Meilisearch is updated by the outbox worker, after the change: until it catches up, its
documents hold the old text of an edited post, and deleted ones are still there. The
tests of stale documents change content and do NOT drain the outbox (no `backend.sync()`
after the change), which is the state every reader meets in that window; on the
database backend (always current) they hold trivially.
"""

from __future__ import annotations

import json
from typing import Any

from community.forums import actions as forums
from community.forums.actions.posts import do_delete_post
from tests.factories.directory import SearchBackend
from tests.factories.forums import make_category, make_post, make_topic
from tests.factories.search import found, search, word


def test_forum_content_is_searchable_by_readers_of_its_network_only(
    backend: SearchBackend,
    public_network: Any,
    private_network: Any,
    member: Any,
    outsider: Any,
    banned: Any,
    api: Any,
) -> None:
    open_topic = make_topic(make_category(public_network), member, "Bourses d'études")
    reply = make_post(open_topic, member, "La bourse Excellence finance le master à Montréal.")
    closed_topic = make_topic(make_category(private_network), member, "Bourses médicales")
    backend.sync()
    assert found(api, member, "bourses") >= {
        ("topics", open_topic.pk),
        ("topics", closed_topic.pk),
    }
    assert ("topics", closed_topic.pk) not in found(api, outsider, "bourses")
    assert ("topics", open_topic.pk) in found(api, outsider, "bourses")
    assert found(api, outsider, "excellence montreal", type="posts") == {("posts", reply.pk)}
    assert found(api, banned, "bourses") == set()  # banned everywhere it belongs
    in_germany = found(api, member, "bourses", network="germany")
    assert in_germany == {("topics", open_topic.pk), ("posts", reply.pk)}  # "bourse": a typo away

    do_delete_post(member, reply)
    backend.sync()
    assert found(api, outsider, "excellence", type="posts") == set()


def test_a_deleted_post_or_topic_leaves_search_at_once_and_an_edited_one_shows_its_new_text(
    backend: SearchBackend,
    public_network: Any,
    member: Any,
    moderator: Any,
    outsider: Any,
    api: Any,
) -> None:
    old, new, title, renamed, inside = word(), word(), word(), word(), word()
    topic = make_topic(make_category(public_network), member, f"Bourses {title}", f"Corps {inside}")
    reply = make_post(topic, member, f"La bourse {old} finance le master.")
    backend.sync()
    assert {r["id"] for r in search(api, outsider, old, type="posts")} == {reply.pk}

    forums.do_edit_post(member, reply, f"La bourse {new} finance le master.")
    forums.do_update_topic(member, topic, title=f"Bourses {renamed}")
    for q in (old, title):
        text = json.dumps(search(api, outsider, q), ensure_ascii=False)
        assert old not in text and title not in text

    forums.do_delete_post(moderator, reply)
    for q in (old, new, "bourse"):
        results = search(api, outsider, q, type="posts")
        assert reply.pk not in {r["id"] for r in results}
        assert new not in json.dumps(results, ensure_ascii=False)

    forums.do_delete_topic(moderator, topic)
    for q in (renamed, inside, title, "bourses"):
        results = search(api, outsider, q)
        text = json.dumps(results, ensure_ascii=False)
        assert renamed not in text and inside not in text and title not in text
        assert not [r for r in results if r["type"] in ("topics", "posts")]
