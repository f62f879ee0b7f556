"""Reads shared by the API, the consumers and the web pages."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from community.models import AuditEntry, Invitation, Membership, Network
from permissions.checks import AnyUser, filter_visible_networks


def annotate_for_user(networks: QuerySet[Network], user: AnyUser) -> QuerySet[Network]:
    """Add member_count and the user's own role/status, in the same query."""
    active = Membership.objects.filter(network=OuterRef("pk"), status=Membership.Status.ACTIVE)
    networks = networks.annotate(
        member_count=Coalesce(
            Subquery(active.order_by().values("network").annotate(n=Count("id")).values("n")[:1]), 0
        )
    )
    if not user.is_authenticated:
        return networks
    mine = Membership.objects.filter(network=OuterRef("pk"), user_id=user.pk)
    return networks.annotate(
        my_role=Subquery(mine.values("role")[:1]),
        my_status=Subquery(mine.values("status")[:1]),
        my_muted_until=Subquery(mine.values("muted_until")[:1]),
    )


def list_networks(
    user: AnyUser, *, kind: str | None = None, q: str | None = None
) -> QuerySet[Network]:
    networks = filter_visible_networks(user)
    if kind:
        networks = networks.filter(kind=kind)
    if q:
        networks = networks.filter(
            Q(name__icontains=q)
            | Q(description__icontains=q)
            | Q(theme__icontains=q)
            | Q(slug__icontains=q)
        )
    return annotate_for_user(networks, user)


def get_network_for_user(user: AnyUser, network: Network) -> Network:
    """The same network row, annotated like the list."""
    return annotate_for_user(Network.objects.filter(pk=network.pk), user).get()


def list_members(
    network: Network, *, statuses: list[str], role: str | None = None, q: str = ""
) -> QuerySet[Membership]:
    """The network's memberships in these statuses; `q` finds words in a username or
    display name (what the list shows anyway)."""
    members = Membership.objects.filter(network=network, status__in=statuses).select_related(
        "user", "user__profile", "acted_by", "acted_by__profile"
    )
    if role:
        members = members.filter(role=role)
    for word in q.split()[:5]:
        members = members.filter(
            Q(user__username__icontains=word) | Q(user__profile__display_name__icontains=word)
        )
    return members


def list_invitations(network: Network) -> QuerySet[Invitation]:
    return Invitation.objects.filter(network=network).select_related(
        "network", "created_by", "created_by__profile"
    )


def list_audit_entries(network: Network) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(network=network).select_related(
        "actor", "actor__profile", "target_user", "target_user__profile"
    )


def first_moderator(network: Network) -> User | None:
    """The network's first active owner or moderator (owners first, then the oldest):
    who the demo data has create rooms and post announcements."""
    membership = (
        Membership.objects.filter(
            network=network,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.OWNER, Membership.Role.MODERATOR],
        )
        .select_related("user")
        .order_by("role", "id")
        .first()
    )
    return membership.user if membership is not None else None
