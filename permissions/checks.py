"""The single place that answers "may this user do this here?".

`access_*` return the object or raise NotFound (a private network's content looks
exactly like a missing one to a non-member); `filter_visible_*` return querysets;
`may_*` answer yes/no for things the user can already see. What a user may do in a
network is read from guardian's direct-FK table (`network_perms`: loaded with the
membership in the request's one query, memoized on the network object, dropped by
`forget` after an action), which `permissions.actions` keeps equal to the role's
bundle plus the owner's overrides (`permissions.roles`). Membership itself answers
only what is a status (banned, muted, invited) and the rank rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.cache import cache
from django.db.models import Aggregate, Exists, OuterRef, Q, QuerySet, Subquery, TextField

from community.models import Membership, Network
from core.errors import NotAllowed, NotFound
from permissions.models import NetworkUserObjectPermission, PermissionOverride
from permissions.roles import MODERATION, ROLE_RANK, Perm

AnyUser = AbstractBaseUser | AnonymousUser
Visibility = Network.Visibility
Status = Membership.Status

SLUG_SHAPE = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
GENERATION_KEY = "access:generation"
ACCESS_CACHE_SECONDS = 300


def user_access_key(user_id: int) -> str:
    return f"access:user:{user_id}"


def _grants(user: AnyUser, perm: Perm) -> QuerySet[NetworkUserObjectPermission]:
    return NetworkUserObjectPermission.objects.filter(
        user_id=int(user.pk or 0),
        permission__codename=perm.value,
        permission__content_type__app_label="community",
    )


def _has_grant(user: AnyUser, perm: Perm) -> Exists:
    return Exists(_grants(user, perm).filter(content_object_id=OuterRef("pk")))


def filter_visible_networks(user: AnyUser) -> QuerySet[Network]:
    """Networks the user may see listed: public and private ones, hidden ones they belong to."""
    networks = Network.objects.filter(archived=False)
    if getattr(user, "is_staff", False):
        return networks
    if not user.is_authenticated:
        return networks.exclude(visibility=Visibility.HIDDEN)
    return networks.filter(~Q(visibility=Visibility.HIDDEN) | _has_grant(user, Perm.READ))


def filter_readable_networks(user: AnyUser) -> QuerySet[Network]:
    """Networks whose content (forums, rooms, directory) the user may read."""
    networks = Network.objects.filter(archived=False)
    if not user.is_authenticated:
        return networks.none()
    if getattr(user, "is_staff", False):
        return networks
    banned = Membership.objects.filter(
        user_id=user.pk, network_id=OuterRef("pk"), status=Status.BANNED
    )
    return networks.filter(
        (Q(visibility=Visibility.PUBLIC) & ~Exists(banned)) | _has_grant(user, Perm.READ)
    )


def readable_network_ids(user: AnyUser) -> frozenset[int]:
    """Ids of the networks the user may read: one query, cached until membership changes."""
    if not user.is_authenticated:
        return frozenset()
    key = user_access_key(user.pk)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY, 0)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    ids = frozenset(filter_readable_networks(user).values_list("id", flat=True))
    cache.set(key, (generation, ids), ACCESS_CACHE_SECONDS)
    return ids


def active_network_ids(user: AnyUser) -> frozenset[int]:
    """Ids of the live networks where the user is an active member (not pending, invited,
    banned or gone): whom they chat with, whose private fields they may see."""
    if not user.is_authenticated:
        return frozenset()
    return frozenset(
        Membership.objects.filter(
            user_id=int(user.pk), status=Status.ACTIVE, network__archived=False
        ).values_list("network_id", flat=True)
    )


def share_a_network(user_id: int, other_id: int) -> bool:
    """Whether both are active members of a common live network."""
    return (
        Membership.objects.filter(user_id=user_id, status=Status.ACTIVE, network__archived=False)
        .filter(
            Exists(
                Membership.objects.filter(
                    network_id=OuterRef("network_id"), user_id=other_id, status=Status.ACTIVE
                )
            )
        )
        .exists()
    )


def get_membership(user: AnyUser, network: Network) -> Membership | None:
    """The user's membership row (any status), memoized on the network object."""
    if not user.is_authenticated:
        return None
    return membership_of(network, int(user.pk))


def _membership_memo(network: Network) -> dict[int, Membership | None]:
    memo: dict[int, Membership | None] = network.__dict__.setdefault("_membership_memo", {})
    return memo


def membership_of(network: Network, user_id: int) -> Membership | None:
    """Anyone's membership row in the network (any status), memoized on the network object."""
    memo = _membership_memo(network)
    if user_id not in memo:
        memo[user_id] = Membership.objects.filter(user_id=user_id, network=network).first()
    return memo[user_id]


def remember_memberships(network: Network, user_ids: Iterable[int | None]) -> None:
    """Load the memberships of many people in one query (a page of posts by many authors),
    so `may_moderate_words_of` asks nothing more for them."""
    memo = _membership_memo(network)
    missing = {uid for uid in user_ids if uid is not None and uid not in memo}
    if not missing:
        return
    found = {m.user_id: m for m in Membership.objects.filter(network=network, user_id__in=missing)}
    for uid in missing:
        memo[uid] = found.get(uid)


def network_perms(user: AnyUser, network: Network) -> frozenset[Perm]:
    """The user's guardian grants on the network, memoized on the network object."""
    if not user.is_authenticated:
        return frozenset()
    memo: dict[int, frozenset[Perm]] = network.__dict__.setdefault("_perms_memo", {})
    if user.pk not in memo:
        memo[user.pk] = held_permissions(network, int(user.pk))
    return memo[user.pk]


def held_permissions(network: Network, user_id: int) -> frozenset[Perm]:
    """Anyone's effective permissions on the network, as guardian's table holds them."""
    return held_permissions_of_many(network, [user_id])[user_id]


def held_permissions_of_many(
    network: Network, user_ids: Iterable[int]
) -> dict[int, frozenset[Perm]]:
    """`held_permissions` for a page of members, in one query."""
    held: dict[int, set[Perm]] = {uid: set() for uid in user_ids}
    rows = NetworkUserObjectPermission.objects.filter(
        content_object=network, user_id__in=list(held)
    ).values_list("user_id", "permission__codename")
    for user_id, codename in rows:
        if codename in Perm._value2member_map_:
            held[user_id].add(Perm(codename))
    return {uid: frozenset(perms) for uid, perms in held.items()}


def overrides_of(membership: Membership) -> tuple[frozenset[Perm], frozenset[Perm]]:
    """(granted, withdrawn): an owner's overrides on this membership."""
    granted: set[Perm] = set()
    revoked: set[Perm] = set()
    if membership.pk is not None:
        rows = PermissionOverride.objects.filter(membership_id=membership.pk)
        for codename, is_grant in rows.values_list("codename", "granted"):
            if codename in Perm._value2member_map_:
                (granted if is_grant else revoked).add(Perm(codename))
    return frozenset(granted), frozenset(revoked)


def forget(network: Network) -> None:
    """Drop memoized membership and grants after an action changed them."""
    network.__dict__.pop("_membership_memo", None)
    network.__dict__.pop("_perms_memo", None)


def _is_staff(user: AnyUser) -> bool:
    return bool(getattr(user, "is_staff", False))


def may_see_network(user: AnyUser, network: Network) -> bool:
    """Listed or openable: public and private networks, hidden ones to their members.

    An archived network stays reachable by staff and its owners (who may unarchive
    it); everyone else sees it as gone.
    """
    if network.archived:
        return _is_staff(user) or Perm.ADMINISTER in network_perms(user, network)
    if network.visibility != Visibility.HIDDEN or _is_staff(user):
        return True
    if Perm.READ in network_perms(user, network):
        return True
    # An invited user must be able to open the invitation to a hidden network.
    membership = get_membership(user, network)
    return membership is not None and membership.status == Status.INVITED


def may_read(user: AnyUser, network: Network) -> bool:
    if not user.is_authenticated:
        return False
    if _is_staff(user):
        return True
    if Perm.READ in network_perms(user, network):
        return True
    if network.visibility != Visibility.PUBLIC:
        return False
    membership = get_membership(user, network)
    return membership is None or membership.status != Status.BANNED


def may_participate(user: AnyUser, network: Network) -> bool:
    """Post and chat: an active member who is not muted."""
    if Perm.PARTICIPATE not in network_perms(user, network):
        return False
    membership = get_membership(user, network)
    return membership is not None and not membership.is_muted()


def may(user: AnyUser, network: Network, perm: Perm) -> bool:
    """Does the user hold this permission on the network? (Staff hold every one.)"""
    return _is_staff(user) or perm in network_perms(user, network)


def may_moderate(user: AnyUser, network: Network) -> bool:
    """A moderator of something here: holds one of the moderation permissions (the
    moderation pages, the audit log)."""
    return _is_staff(user) or not MODERATION.isdisjoint(network_perms(user, network))


def may_moderate_forums(user: AnyUser, network: Network) -> bool:
    return may(user, network, Perm.MODERATE_FORUMS)


def may_manage_rooms(user: AnyUser, network: Network) -> bool:
    return may(user, network, Perm.MANAGE_ROOMS)


def may_manage_members(user: AnyUser, network: Network) -> bool:
    return may(user, network, Perm.MANAGE_MEMBERS)


def moderated_network_ids(
    user: AnyUser, network_ids: Iterable[int], perm: Perm = Perm.MODERATE_FORUMS
) -> set[int]:
    """Of these networks, those where the user holds `perm` (`may` for many, one query);
    by default the forums' moderation (whose deleted topics one still reads)."""
    ids = set(network_ids)
    if _is_staff(user) or not ids:
        return ids
    if not user.is_authenticated:
        return set()
    return set(
        _grants(user, perm)
        .filter(content_object_id__in=ids)
        .values_list("content_object_id", flat=True)
    )


def may_administer(user: AnyUser, network: Network) -> bool:
    return may(user, network, Perm.ADMINISTER)


def _rank(actor: AnyUser, network: Network, perm: Perm) -> int:
    """The actor's rank for acting under `perm`: their role's, and at least a moderator's
    while they hold `perm` (a member granted it acts as a moderator would)."""
    mine = get_membership(actor, network)
    role_rank = ROLE_RANK[mine.role] if mine is not None and mine.is_active else 0
    if perm in network_perms(actor, network):
        return max(role_rank, ROLE_RANK[Membership.Role.MODERATOR])
    return role_rank


def may_act_on(actor: AnyUser, network: Network, target: Membership) -> bool:
    """Holders of manage_members act on members below their rank, owners on anyone;
    nobody acts on themselves here."""
    if target.user_id == actor.pk:
        return False
    if _is_staff(actor):
        return True
    if not may_manage_members(actor, network):
        return False
    mine = get_membership(actor, network)
    if mine is not None and mine.is_active and mine.role == Membership.Role.OWNER:
        return True
    return _rank(actor, network, Perm.MANAGE_MEMBERS) > ROLE_RANK[target.role]


def _content_rank(network: Network, user_id: int | None) -> int:
    """The rank that guards what a person wrote: their role while an active member; a
    former member, an invitee or a deleted account stands with members."""
    membership = membership_of(network, user_id) if user_id is not None else None
    if membership is None or not membership.is_active:
        return ROLE_RANK[Membership.Role.MEMBER]
    return ROLE_RANK[membership.role]


def may_moderate_words_of(
    actor: AnyUser, network: Network, author_id: int | None, perm: Perm = Perm.MODERATE_FORUMS
) -> bool:
    """May the actor edit or take down words someone else wrote in this network, under
    `perm` (the forums' moderation, or `manage_rooms` for chat messages)?

    Moderators act on members' words, owners also on moderators'; nobody on the words
    of an equal or a higher rank: not a moderator on another moderator's, nor an owner
    on another owner's. Platform staff act on anyone's. (The author's own words are
    the author's rules, not this one.)
    """
    if not may(actor, network, perm):
        return False
    if _is_staff(actor):
        return True
    return _rank(actor, network, perm) > _content_rank(network, author_id)


def check_can_moderate_words_of(
    actor: AnyUser, network: Network, author_id: int | None, perm: Perm = Perm.MODERATE_FORUMS
) -> None:
    """Raise NotAllowed (403) unless `may_moderate_words_of`."""
    check_can(actor, network, perm)
    if not may_moderate_words_of(actor, network, author_id, perm):
        raise NotAllowed(
            "rank",
            "Moderators may change only the words of members below them: "
            "not an owner's, nor another moderator's.",
        )


class _Codenames(Aggregate):
    """The codenames of a set of grants as one comma-separated string (PostgreSQL's
    string_agg, SQLite's group_concat)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _codenames_on(user: AnyUser, network_ref: OuterRef) -> Subquery:
    """The user's grants on the outer row's network, as `_Codenames`: one subquery."""
    grants = NetworkUserObjectPermission.objects.filter(
        user_id=int(user.pk or 0), content_object_id=network_ref
    )
    return Subquery(
        grants.values("user_id").annotate(codes=_Codenames("permission__codename")).values("codes")
    )


def _load_network(user: AnyUser, slug: str) -> Network | None:
    """The network by slug with the user's membership and grants memoized on it.

    A member's request costs one query: the membership row joined to its network,
    with the codenames of the user's grants there gathered by one subquery on
    guardian's table. Grants only ever exist through a membership
    (`permissions.actions` keeps them equal), so a user without a membership row has
    none and the plain network row is enough.
    """
    if user.is_authenticated:
        mine = (
            Membership.objects.filter(user_id=user.pk, network__slug=slug)
            .select_related("network")
            .annotate(grant_codenames=_codenames_on(user, OuterRef("network_id")))
            .first()
        )
        if mine is not None:
            joined = mine.network
            joined.__dict__["_membership_memo"] = {user.pk: mine}
            codes = (getattr(mine, "grant_codenames", None) or "").split(",")
            joined.__dict__["_perms_memo"] = {
                user.pk: frozenset(Perm(c) for c in codes if c in Perm._value2member_map_)
            }
            return joined
    network = Network.objects.filter(slug=slug).first()
    if network is not None and user.is_authenticated:
        network.__dict__["_membership_memo"] = {user.pk: None}
        network.__dict__["_perms_memo"] = {user.pk: frozenset()}
    return network


def is_slug(value: Any) -> bool:
    """Could this be a network slug? Anything else (a NUL byte, 10 KB of text) is a 404
    without a query, and never reaches a database that would reject it with an error."""
    return isinstance(value, str) and SLUG_SHAPE.fullmatch(value) is not None


def access_network(user: AnyUser, slug: Any) -> Network:
    """The network if the user may see it listed, else NotFound."""
    if not is_slug(slug):
        raise NotFound()
    network = _load_network(user, slug)
    if network is None or not may_see_network(user, network):
        raise NotFound()
    return network


def access_network_content(user: AnyUser, slug: Any) -> Network:
    """The network if the user may read its content; private content looks missing to outsiders."""
    network = access_network(user, slug)
    check_can_read(user, network)
    return network


def check_can_read(user: AnyUser, network: Network) -> None:
    if may_read(user, network):
        return
    membership = get_membership(user, network)
    if (
        network.visibility == Visibility.PUBLIC
        and membership is not None
        and membership.status == Status.BANNED
    ):
        raise NotAllowed("banned", "You are banned from this network.")
    raise NotFound()


def check_can_participate(user: AnyUser, network: Network) -> None:
    check_can_read(user, network)
    if may_participate(user, network):
        return
    membership = get_membership(user, network)
    if membership is not None and membership.is_active and membership.is_muted():
        until = membership.muted_until.isoformat() if membership.muted_until else ""
        raise NotAllowed("muted", f"You are muted in this network until {until}.")
    raise NotAllowed("not_member", "Only members of this network may post here.")


def check_can_moderate(user: AnyUser, network: Network) -> None:
    """Any moderation permission (`may_moderate`)."""
    if not may_moderate(user, network):
        raise NotAllowed("not_moderator", "Only moderators of this network may do this.")


# The refusal of each permission: (code, message). Moderation keeps the one code clients know.
REFUSALS: dict[Perm, tuple[str, str]] = {
    Perm.READ: ("not_member", "Only members of this network may do this."),
    Perm.PARTICIPATE: ("not_member", "Only members of this network may do this."),
    Perm.ADMINISTER: ("not_owner", "Only owners of this network may do this."),
    Perm.MODERATE_FORUMS: ("not_moderator", "Only the forum's moderators may do this."),
    Perm.MANAGE_ROOMS: ("not_moderator", "Only the chat's moderators may do this."),
    Perm.MANAGE_MEMBERS: ("not_moderator", "Only moderators of this network may do this."),
}


def check_can(user: AnyUser, network: Network, perm: Perm) -> None:
    """Raise NotAllowed (403) unless the user holds `perm` on the network."""
    if not may(user, network, perm):
        code, message = REFUSALS.get(
            perm, ("permission_denied", f"You need the {perm.value} permission here.")
        )
        raise NotAllowed(code, message)


def check_can_moderate_forums(user: AnyUser, network: Network) -> None:
    check_can(user, network, Perm.MODERATE_FORUMS)


def check_can_manage_rooms(user: AnyUser, network: Network) -> None:
    check_can(user, network, Perm.MANAGE_ROOMS)


def check_can_manage_members(user: AnyUser, network: Network) -> None:
    check_can(user, network, Perm.MANAGE_MEMBERS)


def check_can_administer(user: AnyUser, network: Network) -> None:
    check_can(user, network, Perm.ADMINISTER)
