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

from community import actions  # noqa: E402
from community.models import Membership, Network  # noqa: E402
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

    germany = actions.do_create_network(
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
    medical = actions.do_create_network(
        amina,
        name="الشبكة الطبية لمغاربة العالم",
        slug="medical",
        kind=Network.Kind.THEMATIC,
        theme="health",
        description="Médecins, pharmaciens et chercheurs en santé marocains du monde entier.",
        visibility=Network.Visibility.PRIVATE,
        join_policy=Network.JoinPolicy.APPROVAL,
    )
    actions.do_create_network(
        amina,
        name="Moroccan lawyers abroad",
        slug="lawyers",
        kind=Network.Kind.THEMATIC,
        theme="law",
        description="Lawyers of Moroccan origin practising abroad.",
        visibility=Network.Visibility.HIDDEN,
        join_policy=Network.JoinPolicy.INVITE,
    )
    actions.do_create_network(
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
    actions.do_create_network(
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
        actions.do_join_network(users[username], germany)
    actions.do_set_role(amina, germany, users["youssef"].pk, Membership.Role.MODERATOR)
    actions.do_join_network(
        users["nadia"],
        medical,
        message="Cardiologue à Montréal, je souhaite rejoindre le réseau.",
    )
    actions.do_join_network(users["salma"], medical, message="طبيبة أطفال في ليون.")


if __name__ == "__main__":
    seed()
