"""Demo chat for `manage.py seed_demo`: rooms and conversations in every network, and a
direct conversation, in Arabic, French and English.

Everything goes through the chat actions, so each message has its room event, seq
and rendered HTML exactly as if typed in a client. A network that already has rooms
is left alone, so seeding twice adds nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence

from django.contrib.auth.models import User

from chat.actions import messages, rooms
from chat.models import Room
from community.models import Network
from community.queries import first_moderator
from community.seed import SeedContext, seed_step
from core.errors import ActionError

ROOMS = [
    ("Général · عام · General", "La place du village · ساحة الشبكة · Say hello", "all"),
    ("Annonces · إعلانات · Announcements", "Par les modérateurs · من المشرفين", "moderators"),
    ("Entraide · تعاون · Help", "Démarches, emploi, logement · إجراءات وعمل وسكن", "all"),
]

# (room index, speaker index among members, text, reactions by other speakers)
CONVERSATION: list[tuple[int, int, str, tuple[str, ...]]] = [
    (0, 0, "السلام عليكم جميعا، مرحبا بكم في غرفة {network} 👋", ("❤️", "👋")),
    (0, 1, "Wa alaykum salam ! Ravi de vous retrouver ici.", ()),
    (0, 2, "Hello everyone — I just moved to the area, happy to meet other members.", ("👋",)),
    (0, 3, "Bienvenue ! On organise un café le premier samedi du mois ☕", ("👍",)),
    (0, 0, "فكرة ممتازة، أنا معكم إن شاء الله", ()),
    (1, 0, "**Rappel** : l'assemblée du réseau a lieu le 15, en ligne et en présentiel.", ("👍",)),
    (1, 0, "تذكير: اجتماع الشبكة يوم 15 — المشاركة عن بعد ممكنة.", ()),
    (2, 2, "Does anyone know how long the diploma recognition takes here?", ()),
    (2, 1, "Compte environ 3 mois ; garde bien les traductions certifiées.", ("🙏",)),
    (2, 3, "نفس التجربة معي، ويمكنني مشاركة قائمة الوثائق المطلوبة", ("🙏", "❤️")),
]

DIRECT = [
    (0, "Salut ! Tu serais dispo pour un mentorat sur mon projet à Agadir ?"),
    (1, "Avec plaisir, envoie-moi le résumé et on fixe un appel 📞"),
    (0, "شكرا جزيلا! سأرسله اليوم"),
]


@seed_step("chat rooms", order=130)
def seed_chat_step(ctx: SeedContext) -> None:
    """The seed_demo step: rooms and conversations in every demo network."""
    made_rooms, sent = seed_chat(ctx.networks.values(), ctx.members_by_network())
    ctx.count("chat rooms", made_rooms)
    ctx.count("chat messages", sent)


def seed_chat(
    networks: Iterable[Network], members: Mapping[str, Sequence[User]]
) -> tuple[int, int]:
    """Rooms and messages for networks without rooms; returns (rooms, messages) created."""
    made_rooms = sent = 0
    direct_done = False
    for network in networks:
        people = list(members.get(network.slug, ()))
        staff = first_moderator(network)
        if staff is None or len(people) < 2 or Room.objects.filter(network=network).exists():
            continue
        speakers = [staff, *[p for p in people if p.pk != staff.pk][:3]]
        created = [
            rooms.do_create_room(staff, network, name, topic, posting)
            for name, topic, posting in ROOMS
        ]
        made_rooms += len(created)
        for index, (room, speaker, text, reactions) in enumerate(CONVERSATION):
            moderated = created[room].posting == Room.Posting.MODERATORS
            author = staff if moderated else speakers[speaker % len(speakers)]
            body = text.format(network=network.name)
            try:
                message = messages.do_send_message(
                    author, created[room], body, f"seed-{network.slug}-{index}"
                ).message
            except ActionError:
                continue  # a muted demo member stays silent
            sent += 1
            for offset, emoji in enumerate(reactions, start=1):
                reacter = speakers[(speaker + offset) % len(speakers)]
                with contextlib.suppress(ActionError):
                    messages.do_add_reaction(reacter, message, emoji)
        if not direct_done and len(speakers) >= 2:
            pair = (speakers[1], speakers[2 % len(speakers)])
            if pair[0].pk != pair[1].pk:
                direct = rooms.do_open_direct_room(pair[0], pair[1].pk).room
                for index, (who, text) in enumerate(DIRECT):
                    with contextlib.suppress(ActionError):
                        messages.do_send_message(pair[who], direct, text, f"seed-direct-{index}")
                        sent += 1
                direct_done = True
    return made_rooms, sent
