"""Demo networks and their memberships, made through the community actions.

Every network, join, approval, role change, invitation and ban below is a real
action call, so the audit log, guardian grants and caches look exactly as if
people had clicked through the app.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import transaction

from community.actions import invitations, membership, networks
from community.models import Membership, Network
from community.seed.base import SeedContext, seed_step
from community.seed.people import person

Kind = Network.Kind
Visibility = Network.Visibility
Policy = Network.JoinPolicy


@dataclass(frozen=True)
class DemoNetwork:
    slug: str
    name: str
    kind: str
    description: str
    visibility: str
    join_policy: str
    owner: str
    moderators: tuple[str, ...]
    size: int  # active members wanted, owner and moderators included
    country: str = ""
    theme: str = ""
    women_only: bool = False
    featured_members: tuple[str, ...] = ()
    pending: int = 0  # join requests left waiting (approval networks)
    banned: int = 0
    extra_pending: tuple[str, ...] = field(default=())


NETWORKS = [
    DemoNetwork(
        slug="germany",
        name="Compétences marocaines en Allemagne",
        kind=Kind.GEOGRAPHIC,
        country="DE",
        description=(
            "Ingénieurs, chercheurs et entrepreneurs marocains d'Allemagne : automobile, "
            "énergies renouvelables, recherche. شبكة الكفاءات المغربية في ألمانيا."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.OPEN,
        owner="youssef.elidrissi",
        moderators=("massinissa.aitouahmane", "zineb.berrada"),
        featured_members=("amina.benali", "karim.tazi"),
        size=90,
        banned=1,
    ),
    DemoNetwork(
        slug="canada",
        name="Réseau des compétences marocaines du Canada",
        kind=Kind.GEOGRAPHIC,
        country="CA",
        description=(
            "De Montréal à Vancouver : santé, TI, aéronautique et enseignement. "
            "Bilingual network — Réseau bilingue — شبكة مغاربة كندا."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.APPROVAL,
        owner="karim.tazi",
        moderators=("salma.amrani", "idir.amazouz"),
        featured_members=("youssef.elidrissi",),
        size=110,
        pending=5,
        banned=1,
    ),
    DemoNetwork(
        slug="usa",
        name="Moroccan American Professionals",
        kind=Kind.GEOGRAPHIC,
        country="US",
        description=(
            "Moroccan professionals in the United States: tech, finance, medicine and "
            "academia. Mentoring and investment back home."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.OPEN,
        owner="omar.chraibi",
        moderators=("nadia.bennani",),
        size=70,
    ),
    DemoNetwork(
        slug="switzerland",
        name="Marocains de Suisse",
        kind=Kind.GEOGRAPHIC,
        country="CH",
        description=(
            "Genève, Lausanne, Zurich, Bâle : finance, pharmacie, organisations "
            "internationales. Réseau privé, sur demande."
        ),
        visibility=Visibility.PRIVATE,
        join_policy=Policy.APPROVAL,
        owner="hicham.lahlou",
        moderators=("tilelli.oubella",),
        size=40,
        pending=3,
        extra_pending=("youssef.elidrissi",),
    ),
    DemoNetwork(
        slug="france",
        name="Compétences marocaines de France",
        kind=Kind.GEOGRAPHIC,
        country="FR",
        description=(
            "Le plus grand réseau de la diaspora : santé, numérique, enseignement, "
            "entrepreneuriat. المغاربة في فرنسا: كفاءات ومشاريع."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.OPEN,
        owner="khadija.alaoui",
        moderators=("mehdi.kettani", "sophie.moreau"),
        featured_members=("amina.benali", "youssef.elidrissi"),
        size=130,
        banned=2,
    ),
    DemoNetwork(
        slug="medical",
        name="Réseau médical des Marocains du monde",
        kind=Kind.THEMATIC,
        theme="Médecine et santé",
        description=(
            "الشبكة الطبية لمغاربة العالم — médecins, pharmaciens, chercheurs en santé. "
            "Missions d'expertise, télé-expertise et formation au Maroc."
        ),
        visibility=Visibility.PRIVATE,
        join_policy=Policy.APPROVAL,
        owner="amina.benali",
        moderators=("rachid.cherkaoui", "ghizlane.elfassi"),
        size=80,
        pending=4,
    ),
    DemoNetwork(
        slug="women-journalists",
        name="Femmes journalistes marocaines à l'étranger",
        kind=Kind.THEMATIC,
        theme="Journalisme",
        description=(
            "صحفيات مغربيات في المهجر. Presse écrite, radio, télévision et médias "
            "numériques ; entraide et échanges de sujets."
        ),
        visibility=Visibility.PRIVATE,
        join_policy=Policy.APPROVAL,
        owner="nadia.bennani",
        moderators=("zineb.berrada",),
        women_only=True,
        size=30,
        pending=2,
    ),
    DemoNetwork(
        slug="women-leaders",
        name="Women leaders & entrepreneurs abroad",
        kind=Kind.THEMATIC,
        theme="Leadership and entrepreneurship",
        description=(
            "Moroccan women leading companies and projects abroad. Funding, mentoring, "
            "projects in Morocco. رائدات الأعمال المغربيات في العالم."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.APPROVAL,
        owner="salma.amrani",
        moderators=("tilelli.oubella", "khadija.alaoui"),
        featured_members=("amina.benali",),
        women_only=True,
        size=60,
        pending=3,
    ),
    DemoNetwork(
        slug="lawyers",
        name="Avocats marocains à l'étranger",
        kind=Kind.THEMATIC,
        theme="Droit",
        description=(
            "Cercle fermé des avocats marocains inscrits à l'étranger : droit des "
            "affaires, droit de la famille, binationaux. Sur invitation."
        ),
        visibility=Visibility.HIDDEN,
        join_policy=Policy.INVITE,
        owner="mehdi.kettani",
        moderators=("omar.chraibi",),
        size=35,
    ),
    DemoNetwork(
        slug="aviation-canada",
        name="Professionnels marocains de l'aviation au Canada",
        kind=Kind.THEMATIC,
        theme="Aviation",
        description=(
            "Pilotes, ingénieurs, techniciens de maintenance et contrôleurs : "
            "Montréal, Toronto, Vancouver. Aerospace careers and training."
        ),
        visibility=Visibility.PUBLIC,
        join_policy=Policy.OPEN,
        owner="idir.amazouz",
        moderators=("hicham.lahlou",),
        featured_members=("youssef.elidrissi",),
        size=30,
    ),
]

JOIN_MESSAGES = [
    "Salam ! Je serais ravi de rejoindre le réseau.",
    "السلام عليكم، أود الانضمام إلى الشبكة.",
    "Hello, I would love to contribute and mentor.",
    "Azul ! Ingénieure à la recherche d'échanges avec la diaspora.",
    "Médecin, je souhaite participer aux missions d'expertise.",
    "Porteur de projet dans la région Souss-Massa.",
]

BAN_REASONS = [
    "Publicité répétée malgré les avertissements.",
    "Repeated spam links in the forums.",
]


@seed_step("networks", order=20)
def seed_networks(ctx: SeedContext) -> None:
    """The ten demo networks, each created by its owner."""
    by_username = {u.username: u for u in ctx.users}
    existing = {n.slug: n for n in Network.objects.filter(slug__in=[d.slug for d in NETWORKS])}
    for demo in NETWORKS:
        network = existing.get(demo.slug)
        if network is None:
            network = networks.do_create_network(
                by_username[demo.owner],
                name=demo.name,
                slug=demo.slug,
                kind=demo.kind,
                country=demo.country,
                theme=demo.theme,
                description=demo.description,
                visibility=demo.visibility,
                join_policy=demo.join_policy,
            )
            ctx.count("networks")
        ctx.networks[demo.slug] = network


@dataclass
class _Plan:
    moderators: list[User]
    active: list[User]
    pending: list[User]
    banned: list[User]

    def everyone(self) -> list[User]:
        return self.moderators + self.active + self.pending + self.banned


def _plan(ctx: SeedContext, demo: DemoNetwork) -> _Plan:
    """Who joins which network, the same on every run."""
    by_username = {u.username: u for u in ctx.users}
    named = {demo.owner, *demo.moderators, *demo.featured_members, *demo.extra_pending}
    pool = [
        u
        for u in ctx.users
        if u.username not in named and (not demo.women_only or person(ctx, u).female)
    ]
    rng = ctx.rng(f"members:{demo.slug}")
    wanted = max(demo.size - 1 - len(demo.moderators) - len(demo.featured_members), 0)
    drawn = rng.sample(pool, min(len(pool), wanted + demo.pending + demo.banned))
    # Requests and bans first, so that a small demo (--users 16) still shows them.
    pending = drawn[: demo.pending] + [by_username[u] for u in demo.extra_pending]
    banned = drawn[demo.pending : demo.pending + demo.banned]
    active = [by_username[u] for u in demo.featured_members] + drawn[demo.pending + demo.banned :]
    return _Plan([by_username[u] for u in demo.moderators], active, pending, banned)


@seed_step("memberships", order=30)
def seed_memberships(ctx: SeedContext) -> None:
    """Members join by each network's policy; moderators are named, some requests wait."""
    for demo in NETWORKS:
        network = ctx.networks[demo.slug]
        owner = next(u for u in ctx.users if u.username == demo.owner)
        plan = _plan(ctx, demo)
        already = set(
            Membership.objects.filter(network=network, user__in=plan.everyone()).values_list(
                "user_id", flat=True
            )
        )
        todo = [u for u in plan.everyone() if u.pk not in already]
        if not todo:
            continue
        moderators = {u.pk for u in plan.moderators}
        pending = {u.pk for u in plan.pending}
        banned = {u.pk for u in plan.banned}
        invitation_token: str | None = None
        rng = ctx.rng(f"messages:{demo.slug}")
        with transaction.atomic():
            for user in ctx.progress(todo, len(todo), demo.slug):
                message = rng.choice(JOIN_MESSAGES)
                if user.pk in pending:
                    membership.do_join_network(user, network, message=message)
                    ctx.count("join requests")
                    continue
                if demo.join_policy == Policy.INVITE and invitation_token is None:
                    invitation_token = invitations.do_create_invitation(owner, network).token
                membership.do_join_network(
                    user,
                    network,
                    message=message if demo.join_policy == Policy.APPROVAL else "",
                    invitation_token=invitation_token
                    if demo.join_policy == Policy.INVITE
                    else None,
                )
                if demo.join_policy == Policy.APPROVAL:
                    membership.do_approve_member(owner, network, user.pk)
                if user.pk in moderators:
                    membership.do_set_role(owner, network, user.pk, Membership.Role.MODERATOR)
                if user.pk in banned:
                    membership.do_ban_member(owner, network, user.pk, rng.choice(BAN_REASONS))
                    ctx.count("bans")
                ctx.count("memberships")
