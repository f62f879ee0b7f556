"""Demo meetings for `manage.py seed_demo`: in every demo network a past evening, an
upcoming one with a few seats that its members fill (the rest wait on the list), and an
online webinar with a partner in Morocco. Through the actions, so seats, waitlists and
notifications are what a client would make; a network with meetings is left alone."""

from __future__ import annotations

import contextlib
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import User
from django.utils import timezone

from community.models import Network
from community.queries import first_moderator
from community.seed import SeedContext, seed_step
from core.errors import ActionError
from meetings import actions
from meetings.models import Meeting

# Where each demo country's evenings happen, and in which time zone.
PLACES = {
    "DE": ("Frankfurt am Main", "Europe/Berlin", "Café am Römer"),
    "CA": ("Montréal", "America/Montreal", "Maison du Maroc"),
    "US": ("New York", "America/New_York", "Consulate hall"),
    "CH": ("Genève", "Europe/Zurich", "Salle du Molard"),
    "FR": ("Lyon", "Europe/Paris", "Maison des associations"),
}
DEFAULT_PLACE = ("Casablanca", "Africa/Casablanca", "Technopark")


def _at(days: int, hour: int, zone: str) -> dt.datetime:
    """`days` from today at `hour` o'clock in `zone`, in UTC."""
    local = timezone.now().astimezone(dt.UTC).date() + dt.timedelta(days=days)
    return dt.datetime.combine(local, dt.time(hour), zoneinfo.ZoneInfo(zone)).astimezone(dt.UTC)


def _plan(network: Network) -> list[dict[str, object]]:
    city, zone, venue = PLACES.get(network.country, DEFAULT_PLACE)
    return [
        {
            "title": f"Soirée du réseau · أمسية الشبكة · {network.name}",
            "description": "Retour sur l'année, projets en cours · حصيلة السنة والمشاريع الجارية",
            "starts_at": _at(-20, 19, zone),
            "ends_at": _at(-20, 22, zone),
            "timezone": zone,
            "format": "in_person",
            "venue": venue,
            "city": city,
            "country": network.country,
            "capacity": 40,
        },
        {
            "title": "Café mentorat · مقهى الإرشاد · Mentoring café",
            "description": "Places limitées : **inscrivez-vous**. عدد المقاعد محدود.",
            "starts_at": _at(9, 18, zone),
            "ends_at": _at(9, 20, zone),
            "timezone": zone,
            "format": "in_person",
            "venue": venue,
            "city": city,
            "country": network.country,
            "capacity": 2,
        },
        {
            "title": "Webinaire avec le CHU de Marrakech · ندوة مع المستشفى الجامعي",
            "description": "Coopération et missions courtes · التعاون والمهام القصيرة",
            "starts_at": _at(16, 17, "Africa/Casablanca"),
            "ends_at": _at(16, 19, "Africa/Casablanca"),
            "timezone": "Africa/Casablanca",
            "format": "online",
            "online_url": "https://meet.example.org/shabaka-webinaire",
        },
    ]


@seed_step("meetings", order=140)
def seed_meetings_step(ctx: SeedContext) -> None:
    made, answers = seed_meetings(ctx.networks.values(), ctx.members_by_network())
    ctx.count("meetings", made)
    ctx.count("meeting answers", answers)


def seed_meetings(
    networks: Iterable[Network], members: Mapping[str, Sequence[User]]
) -> tuple[int, int]:
    """Meetings for networks without any; returns (meetings, answers) created."""
    made = answered = 0
    for network in networks:
        organizer = first_moderator(network)
        people = [p for p in members.get(network.slug, ()) if organizer and p.pk != organizer.pk]
        if organizer is None or Meeting.objects.filter(network=network).exists():
            continue
        for index, plan in enumerate(_plan(network)):
            data = {
                k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in plan.items()
            }
            meeting = actions.do_create_meeting(organizer, network, data)
            made += 1
            if index == 0:
                continue  # the past evening: its answers were given before it happened
            for person in people[: 5 if index == 1 else 3]:
                with contextlib.suppress(ActionError):
                    actions.do_rsvp(person, meeting, "going")
                    answered += 1
    return made, answered
