"""Reads for the directory: relations between people, profiles as a viewer sees them, search."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.http import QueryDict

from accounts.actions import display_name
from community.models import Membership, Network
from core.errors import InvalidInput, NotFound
from core.pagination import decode_cursor, encode_cursor
from directory import photos
from directory import validation as v
from directory.models import Profile, Relation
from directory.search import MEMBERS
from directory.vocabulary import Engagement, Sector
from permissions.checks import AnyUser, share_a_network
from search import registry
from search.backends import run_search
from search.normalize import facet_key
from search.query import (
    MAX_DEPTH,
    MAX_FILTER_VALUES,
    SearchQuery,
    Viewer,
    clean_offset,
    clean_q,
)


def relation_to(viewer: AnyUser, owner_id: int) -> Relation:
    """Owner or staff; co-member (an active membership in a common live network); outsider."""
    if not viewer.is_authenticated:
        return Relation.OUTSIDER
    if viewer.pk == owner_id or getattr(viewer, "is_staff", False):
        return Relation.OWNER
    return Relation.CO_MEMBER if share_a_network(owner_id, viewer.pk) else Relation.OUTSIDER


def co_members_among(user_id: int, others: Iterable[int]) -> set[int]:
    """Those of `others` who share a live network with the user (`share_a_network` for
    many, in one query)."""
    mine = Membership.objects.filter(
        user_id=user_id, status=Membership.Status.ACTIVE, network__archived=False
    ).values("network_id")
    return set(
        Membership.objects.filter(
            user_id__in=list(others), status=Membership.Status.ACTIVE, network_id__in=mine
        ).values_list("user_id", flat=True)
    )


def person(user: Any) -> dict[str, Any] | None:
    """A user as a name next to something they did: id, username, name, small photo."""
    if user is None:
        return None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "display_name": display_name(user),
        "avatar": photos.avatar_url(user),
    }


def own_profile(user: Any) -> Profile:
    """The user's profile; an unsaved blank one if they never had any."""
    profile = Profile.objects.select_related("user").filter(user=user).first()
    return profile if profile is not None else Profile(user=user)


def profile_by_username(username: str) -> Profile:
    user = (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .select_related("profile")
        .first()
    )
    if user is None:
        raise NotFound()
    profile = getattr(user, "profile", None)
    return profile if profile is not None else Profile(user=user)


def profile_json(profile: Profile, relation: int) -> dict[str, Any]:
    """A profile as this relation sees it: hidden fields are absent, not blanked."""
    user = profile.user
    data: dict[str, Any] = {"id": user.pk, "username": user.get_username()}
    data["photo"] = photos.urls(profile.photo)
    data.update(profile.visible_fields(relation))
    if relation >= Relation.OWNER:
        data["visibility"] = profile.visibility_map()
    return data


# --- the directory -------------------------------------------------------------------------

FILTER_CLEANERS: dict[str, Any] = {
    "country": lambda x: v.clean_country(x, "country"),
    "sector": lambda x: v.clean_choice("sector", x, Sector, blank=False),
    "language": lambda x: v.clean_language(x, "language"),
    "engagement": lambda x: v.clean_choice("engagement", x, Engagement, blank=False),
    "project_holder": lambda x: str(v.clean_bool("project_holder", x)).lower(),
    "skill": lambda x: facet_key(v.clean_skill(x, "skill")),
}


def directory_filters(params: QueryDict) -> dict[str, list[str]]:
    """Facet filters from the query string: repeat a name or separate values by commas."""
    filters: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for name, clean in FILTER_CLEANERS.items():
        raw = [part.strip() for value in params.getlist(name) for part in value.split(",")]
        raw = [part for part in raw if part]
        if not raw:
            continue
        if len(raw) > MAX_FILTER_VALUES:
            errors[name] = [f"At most {MAX_FILTER_VALUES} values."]
            continue
        try:
            filters[name] = list(dict.fromkeys(clean(part) for part in raw))
        except InvalidInput as exc:
            errors.update(exc.fields)
    if errors:
        raise InvalidInput("invalid_filter", "Some filters are not valid.", errors)
    return filters


def search_directory(
    user: AnyUser,
    params: QueryDict,
    *,
    network: Network | None,
    limit: int,
    backend: str | None = None,
) -> dict[str, Any]:
    """One page of the directory (one network's, or every readable network's) with facets."""
    viewer = Viewer.of(user)
    cursor = params.get("cursor")
    offset = clean_offset(decode_cursor(cursor, 1)[0] if cursor else 0)
    scope = viewer.readable if network is None else viewer.readable & {network.pk}
    query = SearchQuery(
        doc_type=MEMBERS,
        q=clean_q(params.get("q")),
        network_ids=frozenset(scope),
        filters=directory_filters(params),
        limit=limit,
        offset=offset,
        with_facets=True,
    )
    result = run_search(query, viewer, backend)
    # Only profiles still shown (the index may lag behind a deactivated account).
    rows = registry.get(MEMBERS).visible(
        Profile.objects.filter(user_id__in=[h.object_id for h in result.hits])
    )
    profiles = {p.user_id: p for p in rows.select_related("user").order_by()}
    results = [
        profile_json(profiles[hit.object_id], hit.relation)
        for hit in result.hits
        if hit.object_id in profiles
    ]
    end = offset + limit
    has_more = end < min(result.estimated_total, MAX_DEPTH) and len(result.hits) == limit
    return {
        "results": results,
        "facets": result.facets,
        "estimated_total": result.estimated_total,
        "next": encode_cursor([end]) if has_more else None,
    }
