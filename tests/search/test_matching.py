"""Arabic, French and English matching people expect, the same on both backends."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories.directory import SearchBackend, make_profile
from tests.factories.networks import add_member
from tests.factories.users import make_user

PEOPLE = {
    "ahmed": {"display_name": "أحمد بنعلي", "headline": "مهندس برمجيات"},
    "school": {"display_name": "Salma", "headline": "أستاذة في مدرسة ابتدائية"},
    "mustafa": {"display_name": "مصطفى العلوي", "headline": "طبيب"},
    "tatweel": {"display_name": "محـــمد الإدريسي", "headline": "محامي"},
    "engineer": {"display_name": "Élodie Benjelloun", "headline": "Ingénieure énergétique"},
    "mohammed": {"display_name": "Mohammed Alaoui", "headline": "Pilote de ligne"},
    "muhammad": {"display_name": "Muhammad Berrada", "headline": "Data scientist"},
    "mohammad": {"display_name": "Mohammad Chraibi", "headline": "Architecte"},
    "yusuf": {"display_name": "Yusuf Amrani", "headline": "Chef de projet"},
    "youssouf": {"display_name": "Youssouf Diallo", "headline": "Comptable"},
    "cardio": {"display_name": "Nadia Fassi", "headline": "Cardiologue à Montréal"},
}

CASES = [
    ("احمد", {"ahmed"}),
    ("إحمد", {"ahmed"}),
    ("أحمد", {"ahmed"}),
    ("مدرسه", {"school"}),  # ة typed as ه
    ("مصطفي", {"mustafa"}),  # ى typed as ي
    ("محمد الادريسي", {"tatweel"}),  # tatweel and hamza ignored
    ("مُحَمَّد", {"tatweel"}),  # harakat ignored
    ("elodie", {"engineer"}),
    ("ingenieure energetique", {"engineer"}),
    ("Ingénieure", {"engineer"}),
    ("Mohamed", {"mohammed", "muhammad", "mohammad"}),
    ("Muhammad", {"mohammed", "muhammad", "mohammad"}),
    ("Youssef", {"yusuf", "youssouf"}),
    ("yusuf amrani", {"yusuf"}),
    ("cardiolgue", {"cardio"}),  # a typo
    ("montreal", {"cardio"}),
    ("cardio", {"cardio"}),  # the last word is a prefix (search as you type)
]


@pytest.fixture
def people(public_network: Any) -> dict[str, Any]:
    users = {}
    for key, fields in PEOPLE.items():
        user = make_user(f"p-{key}")
        add_member(public_network, user)
        make_profile(user, **fields)
        users[key] = user
    return users


def test_search_matches_across_spellings(
    backend: SearchBackend, people: dict[str, Any], member: Any, api: Any
) -> None:
    backend.sync()
    by_id = {user.pk: key for key, user in people.items()}
    mismatches = []
    for q, expected in CASES:
        response = api(member).get("/api/v1/networks/germany/directory/", {"q": q})
        assert response.status_code == 200
        found = {by_id.get(row["id"], "?") for row in response.json()["results"]}
        if found != expected:
            mismatches.append((q, sorted(found), sorted(expected)))
    assert mismatches == []


def test_an_exact_name_ranks_before_a_mention(
    backend: SearchBackend, public_network: Any, member: Any, api: Any
) -> None:
    mention = make_user("mention")
    add_member(public_network, mention)
    make_profile(mention, display_name="Leila Amrani", headline="Associée de Karim Tazi")
    karim = make_user("karim")
    add_member(public_network, karim)
    make_profile(karim, display_name="Karim Tazi", headline="Avocat d'affaires")
    backend.sync()
    results = api(member).get("/api/v1/directory/", {"q": "karim tazi"}).json()["results"]
    assert [row["id"] for row in results] == [karim.pk, mention.pk]
