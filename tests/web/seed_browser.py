"""Data for the browser tests' live server, written through the real actions.

Run as `python -m tests.web.seed_browser` with the live server's environment (see
`tests/web/live.py`). The people and networks are the ones the screenshots show,
so they read like the real thing, in Arabic, French and English.
"""

from __future__ import annotations

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from calls.seed import seed_calls  # noqa: E402
from chat.actions import messages as chat_messages  # noqa: E402
from chat.actions import rooms as chat_rooms  # noqa: E402
from community.actions import membership, networks  # noqa: E402
from community.forums import actions as forums  # noqa: E402
from community.models import Membership, Network  # noqa: E402
from directory.actions import do_update_profile  # noqa: E402
from meetings.seed import seed_meetings  # noqa: E402
from tests.factories.users import make_user  # noqa: E402

PASSWORD = "shabaka-browser-test"  # a throwaway test database

PEOPLE = {
    "amina": ("Amina Benali", {}),
    "youssef": ("يوسف الإدريسي", {}),
    "salma": ("Salma Aït Lahcen", {}),
    "karim": ("Karim Tazi", {}),
    "nadia": ("نادية الفاسي", {}),
    "staff": ("Shabaka staff", {"staff": True}),
}


def seed() -> None:
    users = {
        username: make_user(username, password=PASSWORD, **extra)
        for username, (name, extra) in PEOPLE.items()
    }
    for username, (name, _extra) in PEOPLE.items():
        profile = users[username].profile
        profile.display_name = name
        profile.save()
    amina = users["amina"]

    germany = networks.do_create_network(
        amina,
        name="Marocains d'Allemagne",
        slug="germany",
        kind=Network.Kind.GEOGRAPHIC,
        country="DE",
        description=(
            "Le réseau des compétences marocaines en Allemagne : ingénieurs, médecins, "
            "chercheurs et porteurs de projets.\nشبكة الكفاءات المغربية في ألمانيا."
        ),
        visibility=Network.Visibility.PUBLIC,
        join_policy=Network.JoinPolicy.OPEN,
    )
    medical = networks.do_create_network(
        amina,
        name="الشبكة الطبية لمغاربة العالم",
        slug="medical",
        kind=Network.Kind.THEMATIC,
        theme="health",
        description="Médecins, pharmaciens et chercheurs en santé marocains du monde entier.",
        visibility=Network.Visibility.PRIVATE,
        join_policy=Network.JoinPolicy.APPROVAL,
    )
    networks.do_create_network(
        amina,
        name="Moroccan lawyers abroad",
        slug="lawyers",
        kind=Network.Kind.THEMATIC,
        theme="law",
        description="Lawyers of Moroccan origin practising abroad.",
        visibility=Network.Visibility.HIDDEN,
        join_policy=Network.JoinPolicy.INVITE,
    )
    networks.do_create_network(
        amina,
        name="Aviation professionals in Canada",
        slug="aviation-canada",
        kind=Network.Kind.THEMATIC,
        theme="aerospace",
        country="CA",
        description="Pilots, engineers and technicians of Moroccan origin in Canada's aviation.",
        visibility=Network.Visibility.PUBLIC,
        join_policy=Network.JoinPolicy.APPROVAL,
    )
    networks.do_create_network(
        amina,
        name="الصحفيات المغربيات في الخارج",
        slug="women-journalists",
        kind=Network.Kind.THEMATIC,
        theme="journalism",
        description="شبكة تجمع الصحفيات المغربيات المقيمات خارج المغرب.",
        visibility=Network.Visibility.PUBLIC,
        join_policy=Network.JoinPolicy.OPEN,
    )

    for username in ("youssef", "salma", "karim"):
        membership.do_join_network(users[username], germany)
    membership.do_set_role(amina, germany, users["youssef"].pk, Membership.Role.MODERATOR)
    membership.do_join_network(
        users["nadia"],
        medical,
        message="Cardiologue à Montréal, je souhaite rejoindre le réseau.",
    )
    membership.do_join_network(users["salma"], medical, message="طبيبة أطفال في ليون.")
    seed_forums(users, germany)
    seed_chat(users, germany)
    seed_profiles(users)
    seed_meetings([germany], {"germany": [users[u] for u in ("youssef", "salma", "karim")]})
    # Youssef (a moderator) posts them: the first call (/calls/1/) is open, with applications.
    seed_calls([germany], {"germany": [users[u] for u in ("amina", "salma", "karim")]})


PROFILES = {
    "amina": {
        "headline": "Ingénieure en systèmes embarqués à Stuttgart",
        "country": "DE",
        "city": "Stuttgart",
        "origin_region": "souss-massa",
        "sectors": ["automotive", "ict"],
        "skills": ["embedded systems", "AUTOSAR", "leadership"],
        "languages": ["ar", "zgh", "fr", "de", "en"],
        "years_experience": 14,
        "engagement": ["mentoring", "investment"],
        "is_project_holder": True,
        "project": {
            "title": "Atelier d'électronique à Agadir",
            "sector": "industry",
            "stage": "prototype",
            "target_region": "souss-massa",
            "summary": "Former des techniciens en électronique automobile dans le Souss.",
        },
    },
    "youssef": {
        "headline": "طبيب قلب في فرانكفورت",
        "country": "DE",
        "city": "Frankfurt",
        "sectors": ["health", "research"],
        "skills": ["cardiology", "clinical research"],
        "languages": ["ar", "fr", "de"],
        "years_experience": 9,
        "engagement": ["expertise_missions", "teaching"],
    },
    "salma": {
        "headline": "Data scientist, Berlin",
        "country": "DE",
        "city": "Berlin",
        "sectors": ["ict"],
        "skills": ["machine learning", "python"],
        "languages": ["ar", "fr", "en"],
        "engagement": ["mentoring", "temporary_return"],
    },
    "karim": {
        "headline": "Energy consultant — renewable projects",
        "country": "DE",
        "city": "Hamburg",
        "sectors": ["energy"],
        "skills": ["solar", "project finance"],
        "languages": ["ar", "fr", "de", "en"],
        "engagement": ["investment"],
        "is_project_holder": True,
        "project": {"title": "Solar farm", "sector": "energy", "stage": "idea"},
    },
}


def seed_profiles(users: dict) -> None:
    for username, data in PROFILES.items():
        do_update_profile(users[username], users[username], data)


def seed_forums(users: dict, germany: Network) -> None:
    amina, youssef, salma = users["amina"], users["youssef"], users["salma"]
    news = forums.do_create_category(
        amina,
        germany,
        name="Annonces",
        description="Les nouvelles du réseau.",
        moderators_only_post=True,
    )
    general = forums.do_create_category(
        amina, germany, name="Entraide", description="Questions, conseils, offres d'emploi."
    )
    forums.do_create_category(
        amina, germany, name="مشاريع", description="مشاريع الاستثمار في المغرب"
    )
    topic, _ = forums.do_create_topic(
        amina,
        news,
        "Rencontre annuelle à Francfort",
        "La rencontre annuelle aura lieu le **14 juin** à Francfort. Inscriptions ouvertes !",
    )
    forums.do_update_topic(amina, topic, pinned=True)
    topic, first = forums.do_create_topic(
        salma,
        general,
        "Reconnaissance du diplôme d'ingénieur en Allemagne",
        "Bonjour à tous,\n\nQuelqu'un a-t-il fait reconnaître un diplôme marocain "
        "d'ingénieur (Anabin) ? Combien de temps cela a-t-il pris ?",
    )
    forums.do_add_reaction(youssef, first, "👍")
    forums.do_reply(
        youssef,
        topic,
        "نعم، استغرق الأمر حوالي ثلاثة أشهر. الخطوات:\n\n1. التحقق في Anabin\n2. طلب ZAB",
    )


def seed_chat(users: dict, germany: Network) -> None:
    amina, youssef, salma = users["amina"], users["youssef"], users["salma"]
    general = chat_rooms.do_create_room(amina, germany, "général", "Discussions libres du réseau")
    chat_rooms.do_create_room(amina, germany, "emploi", "Offres et recherches d'emploi")
    for author, body in [
        (amina, "Bienvenue à toutes et à tous dans le salon du réseau ! 👋"),
        (youssef, "مرحبا بالجميع، سعيد بالانضمام إلى الشبكة."),
        (salma, "Hello! Does anyone know a good **Arabic teacher** in Munich for my kids?"),
    ]:
        chat_messages.do_send_message(author, general, body)


if __name__ == "__main__":
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)  # one process: one Django start-up
    seed()
