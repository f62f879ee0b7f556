"""Demo forum content for `manage.py seed_demo`: categories, topics and replies per network.

Written in Arabic, French and English, as the networks' members write, through the
real actions (so counters, mentions, revisions and audit entries are all genuine).
A network that already has categories is left alone, so seeding twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import User

from community.forums import actions
from community.forums.actions.budgets import budgets_waived
from community.forums.models import Category
from community.models import Network
from community.queries import first_moderator
from community.seed import SeedContext, seed_step
from permissions import checks


class Writer(Protocol):
    def write(self, msg: str) -> Any: ...


@dataclass(frozen=True)
class SeedTopic:
    category: int  # index into CATEGORIES
    title: str
    body: str
    replies: tuple[str, ...]
    reactions: tuple[str, ...] = ()
    pinned: bool = False
    locked: bool = False


CATEGORIES: list[dict[str, Any]] = [
    {
        "name": "Annonces · إعلانات · Announcements",
        "slug": "annonces",
        "description": "Les nouvelles du réseau, par ses modérateurs. أخبار الشبكة.",
        "moderators_only_post": True,
    },
    {
        "name": "Appels à experts · طلب خبرات · Calls for experts",
        "slug": "experts",
        "description": "Missions d'expertise, mentorat, enseignement au Maroc.",
    },
    {
        "name": "Projets et investissement · مشاريع واستثمار · Projects & investment",
        "slug": "projets",
        "description": "Porteurs de projets, investissement dans les régions du Maroc.",
    },
]

TOPICS = [
    SeedTopic(
        0,
        "Bienvenue sur le forum de {network} 👋",
        "Bienvenue à toutes et à tous !\n\nCe forum est **le vôtre** : présentez-vous, "
        "partagez vos projets et vos questions. Merci de rester courtois.\n\n"
        "مرحبا بكم جميعا في منتدى الشبكة. 🇲🇦",
        ("Merci pour ce bel espace ! 🙏", "شكرا جزيلا، فكرة رائعة"),
        reactions=("👍", "❤️", "🎉"),
        pinned=True,
    ),
    SeedTopic(
        1,
        "Appel à experts : télémédecine dans les zones rurales",
        "Le CHU de Marrakech cherche des médecins de la diaspora pour des **téléconsultations** "
        "en cardiologie et pédiatrie, quelques heures par mois.\n\n"
        "- langues : arabe, français\n- durée : 6 mois renouvelables\n\n"
        "Qui serait intéressé·e ?",
        (
            "Je suis cardiologue à Montréal, je peux donner deux demi-journées par mois.",
            "I work in pediatrics in Düsseldorf and would be glad to help. Is English fine "
            "for the team meetings?",
            "Oui, les réunions d'équipe peuvent se faire en anglais.",
        ),
        reactions=("👍", "💡"),
    ),
    SeedTopic(
        1,
        "مطلوب: مرشدون لطلبة الهندسة في الرباط",
        "تبحث المدرسة المحمدية للمهندسين عن **مرشدين** من الكفاءات المغربية بالخارج "
        "لمرافقة طلبة السنة الأخيرة في مشاريع التخرج.\n\nالمدة: ساعة في الأسبوع عن بعد.",
        ("أنا مهندس برمجيات في برلين، يسعدني المشاركة", "Count me in, I mentor in English."),
        reactions=("👏",),
    ),
    SeedTopic(
        2,
        "Investir dans la région Souss-Massa : retours d'expérience ?",
        "Je prépare un projet d'**agrivoltaïsme** près d'Agadir (irrigation solaire "
        "pour l'arganier). Quelqu'un a-t-il déjà travaillé avec le CRI de la région ?\n\n"
        "Les démarches m'ont l'air longues, vos conseils sont les bienvenus.",
        (
            "Oui, le guichet du CRI Souss-Massa est efficace, comptez 3 mois pour l'autorisation.",
            "مشروع رائع! هل فكرت في التعاونيات النسائية لإنتاج زيت الأركان؟",
            "Great idea. The Green Generation programme may co-finance the irrigation part.",
        ),
        reactions=("🌱", "👍"),
    ),
    SeedTopic(
        2,
        "Looking for co-founders: fintech for remittances",
        "We are building a low-fee remittance app between Europe and Morocco. "
        "Looking for a **compliance** profile (Bank Al-Maghrib regulation) and a mobile "
        "developer.\n\nDM me or reply here.",
        ("Intéressé, j'ai travaillé 5 ans en conformité bancaire à Paris.",),
    ),
    SeedTopic(
        0,
        "Assemblée générale annuelle — compte rendu",
        "Le compte rendu de l'assemblée générale est disponible. Les discussions sont "
        "closes ; pour toute question, écrivez aux modérateurs.\n\n"
        "محضر الجمع العام متوفر الآن.",
        (),
        locked=True,
    ),
]


def _posters(network: Network, users: Sequence[User]) -> list[User]:
    """The given users who may post in the network now (active, not muted)."""
    return [user for user in users if checks.may_participate(user, network)]


def _users_for(users_by_network: Mapping[Any, Sequence[User]], network: Network) -> list[User]:
    for key in (network, network.pk, network.slug):
        if key in users_by_network:
            return list(users_by_network[key])
    return []


@budgets_waived()  # a demo writes many posts at once on purpose
def seed_network_forum(network: Network, users: Sequence[User]) -> tuple[int, int]:
    """Fill one network's forum; returns (topics, posts) created. Skips a seeded forum."""
    if Category.objects.filter(network=network).exists():
        return 0, 0
    moderator = first_moderator(network)
    if moderator is None:
        return 0, 0
    posters = _posters(network, users) or [moderator]
    categories = [actions.do_create_category(moderator, network, **c) for c in CATEGORIES]
    topics = posts = 0
    for index, seed in enumerate(TOPICS):
        category = categories[seed.category]
        author = moderator if category.moderators_only_post else posters[index % len(posters)]
        topic, _first = actions.do_create_topic(
            author, category, seed.title.format(network=network.name), seed.body
        )
        topics += 1
        posts += 1
        for offset, reply in enumerate(seed.replies, start=1):
            replier = posters[(index + offset) % len(posters)]
            if replier.pk != author.pk and offset == 1:
                reply = f"@{author.get_username()} {reply}"
            actions.do_reply(replier, topic, reply)
            posts += 1
        for offset, emoji in enumerate(seed.reactions):
            actions.do_add_reaction(posters[(index + offset + 1) % len(posters)], _first, emoji)
        if seed.pinned or seed.locked:
            actions.do_update_topic(
                moderator, topic, pinned=seed.pinned or None, locked=seed.locked or None
            )
    return topics, posts


def seed_forums(
    networks: Iterable[Network],
    users_by_network: Mapping[Any, Sequence[User]],
    stdout: Writer | None = None,
) -> tuple[int, int]:
    """Seed every network's forum; returns the (topics, posts) created.

    `users_by_network` maps a network (or its id or slug) to the demo users who
    belong to it; they write the topics and replies.
    """
    total_topics = total_posts = 0
    for network in networks:
        topics, posts = seed_network_forum(network, _users_for(users_by_network, network))
        total_topics += topics
        total_posts += posts
        if stdout is not None and topics:
            stdout.write(f"  forum of {network.slug}: {topics} topics, {posts} posts\n")
    return total_topics, total_posts


@seed_step("forums", order=120)
def seed_forum_step(ctx: SeedContext) -> None:
    """The seed_demo step: every demo network gets its forum."""
    topics, posts = seed_forums(ctx.networks.values(), ctx.members_by_network(), ctx.stdout)
    ctx.count("forum topics", topics)
    ctx.count("forum posts", posts)
