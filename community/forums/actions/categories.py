"""Creating and editing a network's forum categories (moderators)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from community.actions.common import audit
from community.forums import access
from community.forums.models import Category
from community.models import Network
from core.errors import InvalidInput, StateConflict
from core.names import clean_name

EDITABLE = ("name", "description", "position", "moderators_only_post")


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not clean_name(name):
        raise InvalidInput("invalid", "The name cannot be empty.", {"name": ["Empty."]})
    name = clean_name(name)
    if len(name) > 120 or "\x00" in name:
        raise InvalidInput("invalid", "Names are limited to 120 characters.", {"name": ["Long."]})
    return name


def _clean_slug(network: Network, slug: str, name: str) -> str:
    """The given slug, or one made from the name (Arabic names keep their letters)."""
    slug = slugify(slug or name, allow_unicode=True)[:60].strip("-")
    if not slug:
        slug = f"category-{Category.objects.filter(network=network).count() + 1}"
    return slug


@transaction.atomic
def do_create_category(
    actor: User,
    network: Network,
    *,
    name: str,
    slug: str = "",
    description: str = "",
    position: int = 0,
    moderators_only_post: bool = False,
) -> Category:
    """Moderators add a category; its slug is unique within the network (409 otherwise)."""
    access.check_can_create_category(actor, network)
    name = _clean_name(name)
    slug = _clean_slug(network, slug, name)
    if Category.objects.filter(network=network, slug=slug).exists():
        raise StateConflict(
            "slug_taken", "This network already has a category with this slug.", {"slug": [slug]}
        )
    try:
        with transaction.atomic():
            category = Category.objects.create(
                network=network,
                name=name,
                slug=slug,
                description=description,
                position=position,
                moderators_only_post=moderators_only_post,
                created_by=actor,
            )
    except IntegrityError:
        raise StateConflict(
            "slug_taken", "This network already has a category with this slug.", {"slug": [slug]}
        ) from None
    audit(network, actor, "forum.category.create", target=category, name=name)
    return category


@transaction.atomic
def do_update_category(actor: User, category: Category, **changes: Any) -> Category:
    """Moderators rename, describe, reorder a category or restrict who opens topics in it."""
    network = category.network
    access.check_can_create_category(actor, network)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(
            "invalid", "These fields cannot be changed.", {f: ["Read-only."] for f in unknown}
        )
    if "name" in changes:
        changes["name"] = _clean_name(changes["name"])
    before = {field: getattr(category, field) for field in changes}
    for field, value in changes.items():
        setattr(category, field, value)
    category.save()
    changed = {f: [before[f], v] for f, v in changes.items() if before[f] != v}
    if changed:
        audit(network, actor, "forum.category.update", target=category, changes=changed)
    return category
