"""The matching test set: 30 generated profiles and 8 calls, each call with the graded
relevance of the members who should come first (2 ideal, 1 good), checked on both
search backends; nDCG@10 per call and its mean are printed (run with -s to see them)."""

from __future__ import annotations

import math
from typing import Any

from calls.matching import best_matches
from calls.models import Call
from tests.calls.test_matching import person
from tests.factories.calls import call_body, create

P = dict  # a profile's fields, for reading the table below

PROFILES: dict[str, dict[str, Any]] = {
    # health
    "cardio_ca": P(
        sectors=["health"],
        skills=["cardiology", "pediatrics"],
        languages=["fr", "ar"],
        country="CA",
        engagement=["expertise_missions"],
        years_experience=15,
    ),
    "cardio_de": P(
        sectors=["health"],
        skills=["cardiology"],
        languages=["de", "fr", "ar"],
        country="DE",
        engagement=["expertise_missions", "teaching"],
        years_experience=9,
    ),
    "pediatre_fr": P(
        sectors=["health"],
        skills=["pediatrics"],
        languages=["fr"],
        country="FR",
        engagement=["mentoring"],
        years_experience=6,
    ),
    "radiologue": P(
        sectors=["health"],
        skills=["radiology"],
        languages=["fr", "en"],
        country="BE",
        engagement=["expertise_missions"],
        years_experience=11,
    ),
    "pharmacien": P(
        sectors=["health"],
        skills=["pharmacy"],
        languages=["ar"],
        country="ES",
        engagement=[],
        years_experience=3,
    ),
    # aerospace and aviation
    "aero_prof": P(
        sectors=["aerospace", "teaching"],
        skills=["aerodynamics", "propulsion"],
        languages=["fr", "en"],
        country="FR",
        engagement=["teaching"],
        years_experience=20,
    ),
    "aero_eng": P(
        sectors=["aerospace"],
        skills=["propulsion"],
        languages=["fr"],
        country="CA",
        engagement=["expertise_missions"],
        years_experience=8,
    ),
    "aviation_ca": P(
        sectors=["aerospace"],
        skills=["aviation safety", "maintenance"],
        languages=["fr", "en"],
        country="CA",
        engagement=["expertise_missions"],
        years_experience=17,
    ),
    "pilot": P(
        sectors=["aerospace", "logistics"],
        skills=["aviation safety"],
        languages=["en"],
        country="US",
        engagement=[],
        years_experience=12,
    ),
    # energy and finance
    "solar_investor": P(
        sectors=["energy", "finance"],
        skills=["solar energy", "project finance"],
        languages=["fr", "ar"],
        country="DE",
        engagement=["investment"],
        years_experience=18,
    ),
    "wind_eng": P(
        sectors=["energy", "engineering"],
        skills=["wind power"],
        languages=["de"],
        country="DE",
        engagement=["expertise_missions"],
        years_experience=7,
    ),
    "banker": P(
        sectors=["finance"],
        skills=["project finance"],
        languages=["fr"],
        country="CH",
        engagement=["investment"],
        years_experience=22,
    ),
    # ICT
    "ml_mentor": P(
        sectors=["ict"],
        skills=["machine learning", "entrepreneurship"],
        languages=["en", "fr"],
        country="US",
        engagement=["mentoring"],
        years_experience=10,
    ),
    "founder": P(
        sectors=["ict", "commerce"],
        skills=["entrepreneurship"],
        languages=["fr"],
        country="FR",
        engagement=["mentoring", "investment"],
        years_experience=5,
    ),
    "python_dev": P(
        sectors=["ict"],
        skills=["python", "cloud"],
        languages=["en", "ar"],
        country="US",
        engagement=["temporary_return"],
        years_experience=6,
    ),
    "cloud_arch": P(
        sectors=["ict"],
        skills=["cloud"],
        languages=["fr"],
        country="CA",
        engagement=["temporary_return", "permanent_return"],
        years_experience=14,
    ),
    "junior_dev": P(
        sectors=["ict"],
        skills=["javascript"],
        languages=["fr"],
        country="BE",
        engagement=[],
        years_experience=1,
    ),
    # law
    "arbitre": P(
        sectors=["law"],
        skills=["arbitration", "business law"],
        languages=["fr", "ar"],
        country="FR",
        engagement=["expertise_missions"],
        years_experience=16,
    ),
    "avocate_ch": P(
        sectors=["law"],
        skills=["business law"],
        languages=["fr"],
        country="CH",
        engagement=["expertise_missions"],
        years_experience=9,
    ),
    "juriste": P(
        sectors=["law"],
        skills=["labour law"],
        languages=["en"],
        country="GB",
        engagement=[],
        years_experience=4,
    ),
    # journalism and teaching
    "data_journalist": P(
        sectors=["journalism"],
        skills=["data journalism"],
        languages=["ar", "fr"],
        country="QA",
        engagement=["teaching"],
        years_experience=8,
    ),
    "reporter": P(
        sectors=["journalism"],
        skills=["reporting"],
        languages=["ar"],
        country="FR",
        engagement=[],
        years_experience=12,
    ),
    "teacher": P(
        sectors=["teaching"],
        skills=["mathematics"],
        languages=["fr"],
        country="FR",
        engagement=["teaching"],
        years_experience=25,
    ),
    # others, fitting nothing asked below
    "chef": P(
        sectors=["tourism"],
        skills=["cuisine"],
        languages=["fr"],
        country="FR",
        engagement=[],
        years_experience=10,
    ),
    "architect": P(
        sectors=["construction"],
        skills=["urban planning"],
        languages=["it"],
        country="IT",
        engagement=["permanent_return"],
        years_experience=13,
    ),
    "farmer": P(
        sectors=["agriculture"],
        skills=["irrigation"],
        languages=["nl"],
        country="NL",
        engagement=[],
        years_experience=30,
    ),
    "artist": P(
        sectors=["culture"],
        skills=["painting"],
        languages=["es"],
        country="ES",
        engagement=[],
        years_experience=2,
    ),
    "coach": P(
        sectors=["sport"],
        skills=["football"],
        languages=["es"],
        country="ES",
        engagement=[],
        years_experience=6,
    ),
    "logistician": P(
        sectors=["logistics"],
        skills=["supply chain"],
        languages=["nl"],
        country="NL",
        engagement=[],
        years_experience=9,
    ),
    "civil_servant": P(
        sectors=["public_sector"],
        skills=["public policy"],
        languages=["it"],
        country="IT",
        engagement=[],
        years_experience=19,
    ),
}

# Each call with the relevance of the members who should come first (2 ideal, 1 good).
CALLS: list[tuple[dict[str, Any], dict[str, int]]] = [
    (
        dict(
            kind="expertise_mission",
            sectors=["health"],
            skills=["cardiology", "pediatrics"],
            languages=["fr", "ar"],
            countries=["DE", "CA"],
        ),
        {"cardio_ca": 2, "cardio_de": 2, "pediatre_fr": 1, "radiologue": 1},
    ),
    (
        dict(
            kind="teaching",
            sectors=["aerospace"],
            skills=["aerodynamics", "propulsion"],
            languages=["fr"],
            countries=[],
        ),
        {"aero_prof": 2, "aero_eng": 1, "aviation_ca": 1},
    ),
    (
        dict(
            kind="investment",
            sectors=["energy"],
            skills=["solar energy", "project finance"],
            languages=[],
            countries=[],
        ),
        {"solar_investor": 2, "banker": 1, "wind_eng": 1},
    ),
    (
        dict(
            kind="mentoring",
            sectors=["ict"],
            skills=["entrepreneurship", "machine learning"],
            languages=["en", "fr"],
            countries=[],
        ),
        {"ml_mentor": 2, "founder": 2},
    ),
    (
        dict(
            kind="expertise_mission",
            sectors=["law"],
            skills=["arbitration", "business law"],
            languages=["fr", "ar"],
            countries=["FR", "CH"],
        ),
        {"arbitre": 2, "avocate_ch": 2, "juriste": 1},
    ),
    (
        dict(
            kind="teaching",
            sectors=["journalism"],
            skills=["data journalism"],
            languages=["ar"],
            countries=[],
        ),
        {"data_journalist": 2, "reporter": 1},
    ),
    (
        dict(
            kind="temporary_return",
            sectors=["ict"],
            skills=["python", "cloud"],
            languages=[],
            countries=["US", "CA"],
        ),
        {"python_dev": 2, "cloud_arch": 2, "ml_mentor": 1},
    ),
    (
        dict(
            kind="expertise_mission",
            sectors=["aerospace"],
            skills=["aviation safety", "maintenance"],
            languages=[],
            countries=["CA"],
        ),
        {"aviation_ca": 2, "pilot": 1, "aero_eng": 1},
    ),
]


def ndcg_at(ranked: list[str], relevance: dict[str, int], k: int = 10) -> float:
    gain = sum(relevance.get(name, 0) / math.log2(i + 2) for i, name in enumerate(ranked[:k]))
    ideal = sorted(relevance.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return gain / best


def test_the_test_set_ranks_the_expected_people_first(
    backend: Any, api: Any, public_network: Any, moderator: Any, capsys: Any
) -> None:
    users = {
        name: person(public_network, name, open_to_calls=True, **fields)
        for name, fields in PROFILES.items()
    }
    names = {u.pk: name for name, u in users.items()}
    backend.sync()
    scores = []
    for fields, relevance in CALLS:
        call = Call.objects.get(
            pk=create(api, moderator, public_network, **{**call_body(), **fields}).json()["id"]
        )
        ranked = [names[m.user_id] for m in best_matches(call, moderator, 10)]
        score = ndcg_at(ranked, relevance)
        scores.append(score)
        best = max(relevance.values())
        assert relevance.get(ranked[0]) == best, (fields["skills"], ranked)
        with capsys.disabled():
            print(f"\n  nDCG@10 {score:.3f}  {fields['kind']:<18} {ranked[:5]}")
    mean = sum(scores) / len(scores)
    with capsys.disabled():
        print(f"\n  mean nDCG@10 over {len(CALLS)} calls on {backend.name}: {mean:.3f}")
    assert mean >= 0.9
