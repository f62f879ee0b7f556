"""Matching, on both search backends: only members open to calls, judged only on what
each lets the poster see, with reasons that never name a hidden field; and a test set
of 30 profiles and 8 calls whose expected best matches are checked (nDCG@10 printed)."""

from __future__ import annotations

from typing import Any

from calls.matching import best_matches
from calls.models import Call
from tests.factories.calls import create, open_call
from tests.factories.directory import make_profile
from tests.factories.networks import add_member
from tests.factories.users import make_user

FIT = {
    "sectors": ["health"],
    "skills": ["cardiology", "pediatrics"],
    "languages": ["fr", "ar"],
    "country": "CA",
    "engagement": ["expertise_missions"],
    "years_experience": 12,
}


def matches(api: Any, poster: Any, call: Call, **params: Any) -> list[dict[str, Any]]:
    response = api(poster).get(f"/api/v1/calls/{call.pk}/matches/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def person(network: Any, name: str, **fields: Any) -> Any:
    user = make_user(name)
    add_member(network, user)
    make_profile(user, display_name=name.title(), **fields)
    return user


def draft(api: Any, poster: Any, network: Any) -> Call:
    return Call.objects.get(pk=create(api, poster, network).json()["id"])


def test_only_members_open_to_calls_are_matched(
    backend: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    open_one = person(public_network, "amina", open_to_calls=True, **FIT)
    person(public_network, "karim", open_to_calls=False, **FIT)
    person(
        public_network, "hidden", open_to_calls=True, visibility={"open_to_calls": "private"}, **FIT
    )
    backend.sync()
    call = draft(api, moderator, public_network)
    found = matches(api, moderator, call)
    assert [m["user"]["username"] for m in found] == [open_one.username]
    reasons = {(r["field"], str(r["value"])) for r in found[0]["reasons"]}
    assert {
        ("sectors", "health"),
        ("skills", "cardiology"),
        ("skills", "pediatrics"),
        ("languages", "fr"),
        ("languages", "ar"),
        ("country", "CA"),
        ("engagement", "expertise_missions"),
        ("years_experience", "12"),
    } == reasons
    assert 0.9 < found[0]["score"] < 1  # all but 18 of the 30 years that count in full
    assert found[0]["applied"] is False


def test_a_match_on_a_private_field_alone_does_not_count(
    backend: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    person(
        public_network,
        "secret",
        open_to_calls=True,
        sectors=["health"],
        skills=["cardiology"],
        languages=["de"],
        country="US",
        visibility={"sectors": "private", "skills": "private"},
    )
    partly = person(
        public_network,
        "partly",
        open_to_calls=True,
        sectors=["health"],
        skills=["cardiology"],
        years_experience=20,
        visibility={"skills": "private", "years_experience": "private"},
    )
    backend.sync()
    call = draft(api, moderator, public_network)
    found = matches(api, moderator, call)
    assert [m["user"]["username"] for m in found] == [partly.username]
    fields = {r["field"] for r in found[0]["reasons"]}
    assert fields == {"sectors"}  # skills and years are the member's own


def test_matches_are_the_managers_and_ignore_the_poster(
    backend: Any, api: Any, public_network: Any, moderator: Any, member: Any, owner: Any
) -> None:
    make_profile(moderator, open_to_calls=True, **FIT)
    make_profile(member, open_to_calls=True, **FIT)
    backend.sync()
    call = draft(api, moderator, public_network)
    assert [m["user"]["id"] for m in matches(api, moderator, call)] == [member.pk]
    assert api(member).get(f"/api/v1/calls/{call.pk}/matches/").status_code == 404
    bad = api(moderator).get(f"/api/v1/calls/{call.pk}/matches/", {"limit": "0"})
    assert bad.status_code == 400


def test_publishing_tells_the_best_matches_once(
    backend: Any, api: Any, public_network: Any, moderator: Any, settings: Any
) -> None:
    from notifications.models import Notification

    settings.CALL_MATCH_NOTIFY = 2
    people = [
        person(public_network, f"doc{i}", open_to_calls=True, **{**FIT, "years_experience": i})
        for i in range(1, 5)
    ]
    backend.sync()
    open_call(api, moderator, public_network)
    told = set(
        Notification.objects.filter(kind="call_match").values_list("recipient_id", flat=True)
    )
    assert told == {people[3].pk, people[2].pk}  # the two with the most experience


def test_neither_the_poster_nor_the_asker_is_a_match_and_the_shortcut_counts_without_them(
    backend: Any, api: Any, public_network: Any, owner: Any, moderator: Any, member: Any
) -> None:
    from notifications.models import Notification

    url = f"/api/v1/networks/{public_network.slug}/members/{member.pk}/permissions/"
    assert api(owner).post(url, {"grant": ["publish_calls"]}, format="json").status_code == 200
    make_profile(member, open_to_calls=True, **FIT)  # the partner who posts
    make_profile(moderator, open_to_calls=True, **FIT)  # the moderator who publishes
    full = person(public_network, "full", open_to_calls=True, **FIT)
    partial = person(public_network, "partial", open_to_calls=True, sectors=["health"])
    backend.sync()
    call = draft(api, member, public_network)
    found = best_matches(call, moderator, 2)
    assert [m.user_id for m in found] == [full.pk, partial.pk]
    assert api(moderator).post(f"/api/v1/calls/{call.pk}/publish/").status_code == 200
    told = set(
        Notification.objects.filter(kind="call_match").values_list("recipient_id", flat=True)
    )
    assert told == {full.pk, partial.pk}
    odd = api(moderator).get(f"/api/v1/calls/{call.pk}/matches/", {"limit": "²"})
    assert odd.status_code == 400


def test_a_call_in_french_finds_the_cardiologist_in_arabic_and_english(
    backend: Any, api: Any, public_network: Any, moderator: Any
) -> None:
    arabic = person(public_network, "arabic", open_to_calls=True, skills=["طبيب قلب"])
    english = person(public_network, "english", open_to_calls=True, skills=["Cardiologist"])
    person(public_network, "radiologue", open_to_calls=True, skills=["radiologie"])
    hidden = person(
        public_network,
        "hidden",
        open_to_calls=True,
        skills=["أمراض القلب"],
        visibility={"skills": "private"},
    )
    backend.sync()
    body = {"sectors": [], "languages": [], "countries": [], "skills": ["cardiologue"]}
    call = Call.objects.get(pk=create(api, moderator, public_network, **body).json()["id"])
    found = matches(api, moderator, call)
    assert {m["user"]["id"] for m in found} == {arabic.pk, english.pk}
    assert hidden.pk not in {m["user"]["id"] for m in found}
    reasons = {(m["user"]["id"], r["value"]) for m in found for r in m["reasons"]}
    assert (arabic.pk, "طبيب قلب") in reasons and (english.pk, "cardiologist") in reasons


def test_the_vocabulary_maps_each_term_to_one_concept_in_every_language() -> None:
    from directory import terms

    for concept, by_language in terms.concepts().items():
        assert all(by_language[lang] for lang in terms.LANGUAGES), concept
        for language_terms in by_language.values():
            assert {terms.concept_of(t) for t in language_terms} == {concept}
    assert terms.concept_of("الطاقة المتجددة") == terms.concept_of("طاقة متجددة")
    assert terms.concept_of("Énergies renouvelables") == "renewable_energy"
    assert terms.concept_of("astrologie") is None
