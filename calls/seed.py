"""Demo calls for `manage.py seed_demo`: in every demo network an open mission taking
applications, a past call that closed, a filled one whose expert came back with the
outcome recorded, and an investment call just opened; with applications in every status
(submitted, shortlisted, accepted, declined, withdrawn). Through the actions, so counts,
matches, notifications and the audit log are what a client would make; a few members
first say they are open to calls, so the poster's dashboard has matches. A network with
calls is left alone."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from calls import actions
from calls.models import Application, Call
from community.models import Network
from community.queries import first_moderator
from community.seed import SeedContext, seed_step
from core.errors import ActionError
from directory.actions import do_update_profile
from directory.models import Profile

OPEN_TO_CALLS = 6  # members per network who say they are open to calls
AVAILABILITY = (
    "Deux semaines par an, de préférence en été · أسبوعان في السنة",
    "Remote evenings, and one mission a year in Morocco",
    "À partir de juin, missions courtes · ابتداءً من يونيو",
)

HEALTH_MISSION: dict[str, Any] = {
    "title": "Cardiologie pédiatrique · CHU Mohammed VI d'Oujda · طب قلب الأطفال",
    "summary": (
        "Deux semaines pour opérer avec l'équipe locale et former les internes · "
        "أسبوعان للعمل مع الفريق المحلي وتكوين الأطباء الداخليين"
    ),
    "body": (
        "Le service de cardiologie pédiatrique du **CHU d'Oujda** cherche des cardiologues "
        "pour une mission de deux semaines : consultations, interventions et formation.\n\n"
        "يبحث قسم طب قلب الأطفال بالمستشفى الجامعي بوجدة عن أطباء قلب لمهمة مدتها أسبوعان."
    ),
    "kind": "expertise_mission",
    "sectors": ["health"],
    "skills": ["cardiology", "pediatrics", "clinical research"],
    "languages": ["fr", "ar"],
    "moroccan_region": "oriental",
    "duration_days": 14,
    "positions": 2,
    "message_required": True,
}
ENGINEERING_MISSION: dict[str, Any] = {
    "title": "Station de dessalement d'Agadir : ingénieurs en énergie · مهندسو الطاقة",
    "summary": (
        "Trois semaines d'expertise sur l'alimentation solaire de la station · "
        "ثلاثة أسابيع من الخبرة في تزويد المحطة بالطاقة الشمسية"
    ),
    "body": (
        "La région **Souss-Massa** associe la diaspora à l'extension de la station de "
        "dessalement : audit énergétique, dimensionnement solaire, formation des techniciens."
        "\n\nمهمة خبرة لفائدة جهة سوس ماسة."
    ),
    "kind": "expertise_mission",
    "sectors": ["engineering", "energy", "environment"],
    "skills": ["solar", "project finance", "embedded systems"],
    "languages": ["fr", "ar", "en"],
    "moroccan_region": "souss-massa",
    "duration_days": 21,
    "positions": 2,
    "message_required": False,
}
PAST_CALL: dict[str, Any] = {
    "title": "Cours invités en aérospatiale · Université de Fès · محاضرات في هندسة الطيران",
    "summary": "Un semestre de cours à distance pour les masters · فصل من المحاضرات عن بعد",
    "body": "L'Université Sidi Mohamed Ben Abdellah invite des enseignants de la diaspora.",
    "kind": "teaching",
    "sectors": ["aerospace", "teaching"],
    "skills": ["aircraft maintenance", "machine learning"],
    "languages": ["fr", "en"],
    "remote": True,
    "moroccan_region": "fes-meknes",
    "duration_days": 90,
    "positions": 3,
}
FILLED_CALL: dict[str, Any] = {
    "title": "Mentor pour un incubateur de start-up · Technopark · مرشد لحاضنة مقاولات",
    "summary": "Six mois de mentorat, une heure par semaine · ستة أشهر من الإرشاد",
    "body": "Le Technopark de Casablanca cherche un mentor pour ses jeunes pousses du numérique.",
    "kind": "mentoring",
    "sectors": ["ict", "commerce"],
    "skills": ["machine learning", "python", "leadership"],
    "languages": ["fr", "ar", "en"],
    "remote": True,
    "moroccan_region": "casablanca-settat",
    "duration_days": 180,
    "positions": 1,
}
INVESTMENT_CALL: dict[str, Any] = {
    "title": "Investisseurs pour l'énergie solaire dans le Souss · مستثمرون في الطاقة الشمسية",
    "summary": (
        "Le Centre régional d'investissement présente cinq projets prêts à financer · "
        "المركز الجهوي للاستثمار يعرض خمسة مشاريع جاهزة للتمويل"
    ),
    "body": "Fermes solaires, pompage agricole, stockage : dossiers et visites sur place.",
    "kind": "investment",
    "sectors": ["energy", "finance"],
    "skills": ["project finance", "solar"],
    "languages": ["fr", "ar"],
    "moroccan_region": "souss-massa",
    "positions": 5,
}
MESSAGES = (
    "Cardiologue depuis neuf ans, j'ai déjà opéré au Maroc : disponible en juillet.",
    "أنا مستعد للمشاركة، لدي خبرة عشر سنوات في هذا المجال.",
    "I led a similar project in Hamburg and would be glad to help.",
    "Disponible deux semaines, de préférence à distance pour la préparation.",
    "Je peux venir en octobre, avec deux collègues si besoin.",
)


def _deadline(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def _open_to_calls(people: Sequence[User]) -> None:
    """A few members tick "open to calls" (those who have not already)."""
    closed = set(
        Profile.objects.filter(user__in=people, open_to_calls=True).values_list(
            "user_id", flat=True
        )
    )
    for index, person in enumerate(people[:OPEN_TO_CALLS]):
        if person.pk not in closed:
            availability = AVAILABILITY[index % len(AVAILABILITY)]
            do_update_profile(person, person, {"open_to_calls": True, "availability": availability})


def _apply(person: User, call: Call, index: int) -> Application | None:
    with contextlib.suppress(ActionError):
        return actions.do_apply(person, call, {"message": MESSAGES[index % len(MESSAGES)]})
    return None


def _decide(poster: User, application: Application | None, action: str) -> None:
    if application is not None:
        with contextlib.suppress(ActionError):
            actions.do_decide(poster, application, action)


def _withdraw(person: User, application: Application | None) -> None:
    if application is not None:
        with contextlib.suppress(ActionError):
            actions.do_withdraw(person, application)


def _publish(poster: User, network: Network, plan: dict[str, Any], days: int) -> Call:
    data = {**plan, "countries": [network.country] if network.country else []}
    call = actions.do_create_call(poster, network, {**data, "deadline": _deadline(days)})
    return actions.do_publish_call(poster, call)


def seed_network(network: Network, poster: User, people: Sequence[User]) -> tuple[int, int]:
    """The three calls of one network and their applications; (calls, applications)."""
    _open_to_calls(people)
    applied = 0
    health = network.slug == "medical" or "sant" in network.theme.lower()
    # The open call: submitted, shortlisted, accepted, declined and withdrawn.
    mission = _publish(poster, network, HEALTH_MISSION if health else ENGINEERING_MISSION, 30)
    mine = [_apply(person, mission, i) for i, person in enumerate(people[:5])]
    _decide(poster, mine[1] if len(mine) > 1 else None, "shortlist")
    _decide(poster, mine[2] if len(mine) > 2 else None, "accept")
    _decide(poster, mine[3] if len(mine) > 3 else None, "decline")
    if len(mine) > 4:
        _withdraw(people[4], mine[4])
    applied += sum(1 for a in mine if a is not None)
    # The past call: applications came in, then it closed with nobody taken.
    past = _publish(poster, network, PAST_CALL, 7)
    late = [_apply(person, past, i) for i, person in enumerate(people[5:8], start=1)]
    _decide(poster, late[0] if late else None, "shortlist")
    applied += sum(1 for a in late if a is not None)
    with contextlib.suppress(ActionError):
        actions.do_close_call(poster, past, "closed")
    # The filled call: its one position taken, the mentoring done and its days counted.
    mentoring = _publish(poster, network, FILLED_CALL, 14)
    taken = [_apply(person, mentoring, i) for i, person in enumerate(people[1:3], start=2)]
    applied += sum(1 for a in taken if a is not None)
    if taken and taken[0] is not None:
        _decide(poster, taken[0], "accept")
        with contextlib.suppress(ActionError):
            actions.do_record_outcome(
                poster,
                Application.objects.select_related("call__network").get(pk=taken[0].pk),
                {"status": "completed", "days": 24, "feedback": "Trois start-up accompagnées."},
            )
    _decide(poster, taken[1] if len(taken) > 1 else None, "decline")
    # A second open call, just published: one application so far.
    investment = _publish(poster, network, INVESTMENT_CALL, 45)
    first = [_apply(person, investment, 2) for person in people[:1]]
    applied += sum(1 for a in first if a is not None)
    return 4, applied


@seed_step("calls", order=150)
def seed_calls_step(ctx: SeedContext) -> None:
    made, applied = seed_calls(ctx.networks.values(), ctx.members_by_network())
    ctx.count("calls", made)
    ctx.count("call applications", applied)


def seed_calls(
    networks: Iterable[Network], members: Mapping[str, Sequence[User]]
) -> tuple[int, int]:
    """Calls for networks without any; returns (calls, applications) created."""
    made = applied = 0
    for network in networks:
        poster = first_moderator(network)
        if poster is None or Call.objects.filter(network=network).exists():
            continue
        people = [p for p in members.get(network.slug, ()) if p.pk != poster.pk]
        calls, applications = seed_network(network, poster, people)
        made += calls
        applied += applications
    return made, applied
