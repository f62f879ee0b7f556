"""Demo profiles for `manage.py seed_demo`: competencies, places, languages, projects.

Each demo person gets a profile that fits their networks (a member of the medical
network works in health, one of the Canada network lives in Canada), written
through `do_update_profile` so the search documents follow. Idempotent: people
whose profile already has a headline are left alone.
"""

from __future__ import annotations

import random
from typing import Any

from community.models import Membership
from community.seed import SeedContext, people, seed_step
from directory.actions import do_update_profile
from directory.models import Profile
from directory.vocabulary import Engagement, ProjectStage, Region

# "masculine|feminine" where the job title agrees with its holder (French and Arabic
# titles do), one form where it does not.
HEADLINES: dict[str, list[str]] = {
    "health": [
        "Cardiologue",
        "Médecin urgentiste",
        "Pharmacien hospitalier|Pharmacienne hospitalière",
        "طبيب أطفال|طبيبة أطفال",
        "Infirmier en réanimation|Infirmière en réanimation",
        "Chirurgien orthopédiste|Chirurgienne orthopédiste",
        "Radiologue",
    ],
    "ict": [
        "Ingénieur logiciel|Ingénieure logiciel",
        "Data scientist",
        "Architecte cloud",
        "مهندس برمجيات|مهندسة برمجيات",
        "Product manager",
        "DevOps engineer",
        "Expert en cybersécurité|Experte en cybersécurité",
    ],
    "aerospace": [
        "Pilote de ligne",
        "Ingénieur aéronautique|Ingénieure aéronautique",
        "Technicien avionique|Technicienne avionique",
        "Contrôleur aérien|Contrôleuse aérienne",
        "Aircraft maintenance engineer",
    ],
    "law": [
        "Avocat d'affaires|Avocate d'affaires",
        "Juriste en droit des migrations",
        "محامي|محامية",
        "Notaire",
        "Legal counsel",
    ],
    "journalism": [
        "Journaliste reporter",
        "Rédacteur en chef|Rédactrice en chef",
        "صحفي|صحفية",
        "Photojournaliste",
        "Podcast producer",
    ],
    "finance": [
        "Analyste financier|Analyste financière",
        "Banquier d'investissement|Banquière d'investissement",
        "Actuaire",
        "Auditeur|Auditrice",
    ],
    "energy": [
        "Ingénieur énergies renouvelables|Ingénieure énergies renouvelables",
        "Chef de projet solaire|Cheffe de projet solaire",
        "مهندس طاقة|مهندسة طاقة",
        "Energy consultant",
    ],
    "research": [
        "Chercheur en biologie|Chercheuse en biologie",
        "Post-doctorant en physique|Post-doctorante en physique",
        "Enseignant-chercheur|Enseignante-chercheuse",
    ],
    "teaching": [
        "Professeur de mathématiques|Professeure de mathématiques",
        "Formateur en langues|Formatrice en langues",
        "أستاذ جامعي|أستاذة جامعية",
    ],
    "automotive": [
        "Ingénieur automobile|Ingénieure automobile",
        "Responsable qualité chez un équipementier",
    ],
    "agriculture": [
        "Agronome",
        "Ingénieur en irrigation|Ingénieure en irrigation",
        "مهندس فلاحي|مهندسة فلاحية",
    ],
    "tourism": [
        "Directeur d'hôtel|Directrice d'hôtel",
        "Guide et organisateur de voyages|Guide et organisatrice de voyages",
    ],
}


def agreeing(text: str, female: bool | None) -> str:
    """The form of "masculine|feminine" that agrees with the person."""
    masculine, _, feminine = text.partition("|")
    return (feminine or masculine) if female else masculine


SKILLS: dict[str, list[str]] = {
    "health": ["cardiologie", "échographie", "urgences", "pédiatrie", "santé publique"],
    "ict": ["python", "kubernetes", "machine learning", "react", "cybersécurité", "c++"],
    "aerospace": ["airbus a320", "boeing 787", "maintenance aéronautique", "navigation"],
    "law": ["droit des affaires", "droit de la famille", "arbitrage", "droit fiscal"],
    "journalism": ["reportage", "fact-checking", "vidéo", "datajournalisme"],
    "finance": ["gestion de portefeuille", "audit", "fintech", "comptabilité"],
    "energy": ["photovoltaïque", "éolien", "hydrogène vert", "efficacité énergétique"],
    "research": ["biologie moléculaire", "statistiques", "publication scientifique"],
    "teaching": ["pédagogie", "e-learning", "mathématiques"],
    "automotive": ["lean manufacturing", "qualité", "véhicule électrique"],
    "agriculture": ["irrigation", "agroécologie", "arboriculture"],
    "tourism": ["hôtellerie", "écotourisme", "gestion d'événements"],
}
CITIES: dict[str, list[str]] = {
    "CA": ["Montréal", "Québec", "Toronto", "Ottawa", "Laval"],
    "DE": ["München", "Berlin", "Frankfurt", "Düsseldorf", "Köln"],
    "US": ["New York", "Boston", "San Francisco", "Houston", "Washington"],
    "CH": ["Genève", "Zürich", "Lausanne", "Bâle"],
    "FR": ["Paris", "Lyon", "Marseille", "Toulouse", "Lille"],
    "BE": ["Bruxelles", "Liège", "Anvers"],
    "ES": ["Madrid", "Barcelona", "Valencia"],
    "NL": ["Amsterdam", "Rotterdam", "Utrecht"],
    "GB": ["London", "Manchester"],
    "AE": ["Dubai", "Abu Dhabi"],
}
COUNTRY_LANGUAGE = {
    "CA": "fr",
    "DE": "de",
    "US": "en",
    "CH": "fr",
    "FR": "fr",
    "BE": "nl",
    "ES": "es",
    "NL": "nl",
    "GB": "en",
    "AE": "ar",
}
NETWORK_SECTOR = {
    "medical": "health",
    "women-journalists": "journalism",
    "lawyers": "law",
    "aviation-canada": "aerospace",
}
PROJECTS: dict[str, list[str]] = {
    "health": ["Télémédecine pour les zones rurales", "Clinique mobile de cardiologie"],
    "ict": ["Plateforme d'apprentissage en darija", "Incubateur numérique à Agadir"],
    "energy": ["Serres solaires dans le Souss", "Micro-réseaux solaires pour les douars"],
    "agriculture": ["Coopérative d'argan équitable", "Irrigation goutte-à-goutte connectée"],
    "aerospace": ["Centre de formation en maintenance aéronautique"],
    "tourism": ["Écolodge dans la vallée du Drâa"],
}


def _profile(rng: random.Random, networks: list[Any], female: bool | None) -> dict[str, Any]:
    countries = [n.country for n in networks if n.country]
    country = countries[0] if countries else rng.choice(list(CITIES))
    hinted = [NETWORK_SECTOR[n.slug] for n in networks if n.slug in NETWORK_SECTOR]
    sector = hinted[0] if hinted else rng.choice(list(HEADLINES))
    second = rng.choice([s for s in HEADLINES if s != sector])
    languages = ["ar", "fr", COUNTRY_LANGUAGE.get(country, "en")]
    if rng.random() < 0.6:
        languages.append("en")
    if rng.random() < 0.25:
        languages.append("zgh")
    fields: dict[str, Any] = {
        "headline": agreeing(rng.choice(HEADLINES[sector]), female)
        + f" à {rng.choice(CITIES[country])}",
        "bio": agreeing("Né au Maroc, installé|Née au Maroc, installée", female)
        + f" à l'étranger depuis {rng.randint(3, 25)} ans. "
        "J'aime partager mon expérience avec la diaspora.",
        "country": country,
        "city": rng.choice(CITIES[country]),
        "origin_region": rng.choice(Region.values),
        "sectors": [sector] + ([second] if rng.random() < 0.3 else []),
        "skills": rng.sample(SKILLS[sector], k=min(3, len(SKILLS[sector]))),
        "languages": list(dict.fromkeys(languages)),
        "years_experience": rng.randint(1, 30),
        "engagement": rng.sample(Engagement.values, k=rng.randint(1, 3)),
    }
    if sector in PROJECTS and rng.random() < 0.35:
        fields["is_project_holder"] = True
        fields["project"] = {
            "title": rng.choice(PROJECTS[sector]),
            "sector": sector,
            "stage": rng.choice(ProjectStage.values),
            "target_region": rng.choice(Region.values),
            "summary": "Un projet pour créer de l'emploi qualifié au Maroc, "
            "avec des partenaires de la diaspora.",
        }
    if rng.random() < 0.2:
        fields["visibility"] = {"city": "private", "bio": "private"}
    return fields


def _female(ctx: SeedContext, user: Any) -> bool | None:
    try:
        return people.person(ctx, user).female
    except KeyError:  # not a planned demo person (the staff account): no agreement
        return None


@seed_step("directory profiles", order=110)
def seed_profiles(ctx: SeedContext) -> None:
    """Fill the demo people's profiles (those without a headline yet)."""
    rng = ctx.rng("directory profiles")
    blank = set(
        Profile.objects.filter(user__in=ctx.users, headline="").values_list("user_id", flat=True)
    )
    networks: dict[int, list[Any]] = {}
    for membership in (
        Membership.objects.filter(user__in=ctx.users, status=Membership.Status.ACTIVE)
        .select_related("network")
        .order_by("network__kind", "id")
    ):
        networks.setdefault(membership.user_id, []).append(membership.network)
    todo = [user for user in ctx.users if user.pk in blank]
    for user in ctx.progress(todo, len(todo), "directory profiles"):
        # One draw per person whatever else exists, so a rerun plans the same profiles.
        person_rng = random.Random(f"{user.username}:{rng.random()}")
        fields = _profile(person_rng, networks.get(user.pk, []), _female(ctx, user))
        do_update_profile(user, user, fields)
    ctx.count("profiles", len(todo))
