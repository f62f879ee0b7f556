"""`manage.py demo_people`: who owns and moderates each network, read from the database,
so a newcomer knows whom to sign in as (`make run` prints it after seeding)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from community.models import Membership, Network

Role = Membership.Role


class Command(BaseCommand):
    help = "List each network with its owner and moderators (usernames to sign in with)."

    def handle(self, *args: Any, **options: Any) -> None:
        leaders: dict[int, dict[str, list[str]]] = {}
        rows = (
            Membership.objects.filter(
                status=Membership.Status.ACTIVE, role__in=[Role.OWNER, Role.MODERATOR]
            )
            .order_by("network_id", "role", "user__username")
            .values_list("network_id", "role", "user__username")
        )
        for network_id, role, username in rows:
            leaders.setdefault(network_id, {}).setdefault(role, []).append(username)
        networks = Network.objects.order_by("kind", "slug")
        if not networks:
            self.stdout.write("No networks yet.")
            return
        width = max(len(n.slug) for n in networks)
        self.stdout.write(
            f"  {'network':<{width}}  {'visibility, joining':<20}  owner — moderators"
        )
        for network in networks:
            who = leaders.get(network.pk, {})
            owners = ", ".join(who.get(Role.OWNER, [])) or "—"
            moderators = ", ".join(who.get(Role.MODERATOR, [])) or "—"
            policy = f"{network.visibility}, {network.join_policy}"
            self.stdout.write(f"  {network.slug:<{width}}  {policy:<20}  {owners} — {moderators}")
