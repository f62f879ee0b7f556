"""Post bodies (and chat messages of network rooms) → sanitized HTML with @mentions of
the network's members linked.

Only active members of the post's network become links (and Mention rows): an
@mention of an outsider stays plain text, so a post cannot reveal or ping people
outside the network. A post names at most MAX_MENTIONS people; the rest stay text.
`mentioned_ids` is who the text names: the forum and chat actions notify them.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.urls import reverse

from community.models import Membership, Network
from community.rendering import render_markdown

MAX_MENTIONS = 30


def profile_url(username: str) -> str:
    """Where a mention links: the member's profile page."""
    return reverse("web:profile", args=[username])


@dataclass
class Rendered:
    html: str
    mentioned_ids: set[int] = field(default_factory=set)


def render_post_body(network: Network, body: str) -> Rendered:
    """Render a post body for `network`, resolving its @mentions against the members."""
    rendered = Rendered(html="")

    def resolve(names: Collection[str]) -> Mapping[str, str]:
        wanted = sorted(names)[:MAX_MENTIONS]
        users = (
            get_user_model()
            .objects.annotate(lname=Lower("username"))
            .filter(
                lname__in=wanted,
                memberships__network=network,
                memberships__status=Membership.Status.ACTIVE,
            )
            .values_list("pk", "username")
        )
        links = {}
        for pk, username in users:
            links[username.lower()] = profile_url(username)
            rendered.mentioned_ids.add(pk)
        return links

    rendered.html = render_markdown(body, mentions=resolve)
    return rendered
