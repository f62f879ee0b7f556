"""Who fits a call: the network's members open to calls, ranked by what they show the
poster.

Finding is the directory's search (`search.backends.run_searches` on the members' type,
the poster as the viewer), so a field's audience is enforced by the query on both
backends exactly as in the directory: a value a member hides from the poster never
matches. A call's criteria (its sectors, skills, the engagement kind its kind fits,
languages, countries) each weigh a whole number; a member weighs the sum of those they
meet, and small bonuses (further skills, years of experience) order members of one
weight — they add up to less than 1, so they never lift anyone above a heavier member.

One search asks for those who meet every criterion (facet filters: the engine returns
few people); when at least `limit` do, they are the answer, ordered by their bonuses.
Otherwise one search per criterion adds those who meet it, each member weighed by the
searches that found them, and the heaviest are read from the database to be ordered by
their bonuses and explained. Reasons and bonuses are read from the profile as the
poster may see it (`Profile.level` against the relation the search gave), the same
audience rule the index was built with; an index that lags behind a profile (open to
calls no more, a skill removed) loses to the profile. Meeting none of a call's criteria
is no match.

Where a network is large the ranking is bounded, so that it costs a few searches of a
few hundred members whatever the network's size: each search contributes its first
`MAX_RANKED` or `PER_CRITERION` members in the directory's order (by name), so when
more meet a criterion, those further down are seen only through the other criteria;
and of the weight that decides the last places, at most `MAX_RANKED` members are
ordered by their bonuses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from calls.models import Call
from directory.models import Profile
from directory.search import MEMBERS
from directory.terms import concept_token
from search import registry
from search.backends import run_searches
from search.backends.base import SearchResult
from search.normalize import facet_key
from search.query import SearchQuery, Viewer

# Each criterion's facet, the profile field it reads, and its weight (whole numbers).
CRITERIA: tuple[tuple[str, str, int], ...] = (
    ("sector", "sectors", 5),
    ("skill", "skills", 5),
    ("engagement", "engagement", 2),
    ("language", "languages", 2),
    ("country", "country", 2),
)
WEIGHT = {name: weight for name, _field, weight in CRITERIA}
FIELD = {name: profile_field for name, profile_field, _weight in CRITERIA}
# The bonuses, together under 1: within one weight, never across.
EXTRA_SKILL = 0.15
MAX_EXTRA_SKILLS = 3
YEARS_BONUS = 0.45
YEARS_FULL = 30
OPEN = {"open_to_calls": ["true"]}
# Members read from the database to be ordered by their bonuses and explained, and
# members each criterion's own search contributes when too few meet them all.
MAX_RANKED = 200
PER_CRITERION = 200
# What explaining a match reads of a profile.
PROFILE_COLUMNS = (
    "user_id",
    "visibility",
    "open_to_calls",
    "years_experience",
    *(FIELD[name] for name in WEIGHT),
)


@dataclass
class Match:
    user_id: int
    score: float
    reasons: list[dict[str, Any]] = field(default_factory=list)
    profile: Profile | None = None
    weight: int = 0


def skill_keys(skill: str) -> set[str]:
    """The skill facet's tokens a skill stands for: as written, and its concept."""
    concept = concept_token(skill)
    return {facet_key(skill), concept} if concept else {facet_key(skill)}


def wanted(call: Call) -> dict[str, list[str]]:
    """The facet values each criterion looks for (skills by `skill_keys`)."""
    values = {
        "sector": list(call.sectors),
        # A skill as written, and its concept in the vocabulary (any language's term).
        "skill": list(dict.fromkeys(key for s in call.skills for key in skill_keys(s))),
        "engagement": [call.engagement] if call.engagement else [],
        "language": list(call.languages),
        "country": list(call.countries),
    }
    return {name: v for name, v in values.items() if v}


def best_matches(call: Call, poster: Any, limit: int, *, backend: str | None = None) -> list[Match]:
    """The `limit` members who fit the call best, as `poster` may see them."""
    viewer = Viewer.of(poster)
    scope = frozenset(viewer.readable & {call.network_id})
    if not scope or limit < 1:
        return []
    criteria = wanted(call)

    def query(filters: dict[str, list[str]], depth: int) -> SearchQuery:
        # Unordered: the hits are weighed here, the engine need not sort them by name.
        return SearchQuery(
            MEMBERS, network_ids=scope, filters={**OPEN, **filters}, limit=depth, ordered=False
        )

    def relations(result: SearchResult) -> dict[int, int]:
        return {hit.object_id: hit.relation for hit in result.hits}

    # Neither the one asking nor the call's poster is a match for it.
    excluded = {getattr(poster, "pk", None), call.poster_id}
    full = sum(WEIGHT[name] for name in criteria)
    # Those who meet every criterion weigh the most: when they are enough, they are all.
    [first] = run_searches([query(criteria, MAX_RANKED)], viewer, backend)
    found = relations(first)
    for user_id in excluded:
        found.pop(user_id, None)  # type: ignore[arg-type]
    weights: dict[int, int] = dict.fromkeys(found, full)
    if len(criteria) > 1 and len(found) < limit:
        # One request for every criterion's own search.
        names = list(criteria)
        each = run_searches(
            [query({name: criteria[name]}, PER_CRITERION) for name in names], viewer, backend
        )
        for name, result in zip(names, each, strict=True):
            for user_id, relation in relations(result).items():
                if user_id in excluded:
                    continue
                found.setdefault(user_id, relation)
                if weights.get(user_id) != full:
                    weights[user_id] = weights.get(user_id, 0) + WEIGHT[name]
    chosen = _heaviest(weights, limit)
    matches = _explained(call, criteria, {uid: found[uid] for uid in chosen})
    matches.sort(key=lambda m: (-m.score, m.user_id))
    top = _ceiling(call, criteria)
    best = matches[:limit]
    for match in best:
        match.score = round(match.score / top, 3)
    _with_users(best)
    return best


def _heaviest(weights: dict[int, int], limit: int) -> list[int]:
    """The members of the `limit` heaviest weights, ties at the last one included (their
    bonuses order them), at most MAX_RANKED: past that many ties, the lowest ids."""
    order = sorted(weights, key=lambda uid: (-weights[uid], uid))
    if len(order) <= limit:
        return order
    cutoff = weights[order[limit - 1]]
    return [uid for uid in order if weights[uid] >= cutoff][: max(limit, MAX_RANKED)]


def _explained(call: Call, criteria: dict[str, list[str]], found: dict[int, int]) -> list[Match]:
    if not found:
        return []
    rows = registry.get(MEMBERS).visible(Profile.objects.filter(user_id__in=list(found)))
    return [
        match
        for profile in rows.only(*PROFILE_COLUMNS).order_by()
        if (match := explain(call, profile, found[profile.user_id], criteria)) is not None
        and (match.weight > 0 or not criteria)
    ]


def _with_users(matches: list[Match]) -> None:
    """The chosen members' users and photos, for showing them (one query)."""
    profiles = Profile.objects.select_related("user").in_bulk(
        [m.user_id for m in matches], field_name="user_id"
    )
    for match in matches:
        match.profile = profiles.get(match.user_id, match.profile)


def explain(
    call: Call, profile: Profile, relation: int, criteria: dict[str, list[str]]
) -> Match | None:
    """The member's weight, score and reasons from what `relation` may see of their
    profile; None when they do not show that they are open to calls."""

    def visible(name: str) -> Any:
        return getattr(profile, name) if profile.level(name) <= relation else None

    if visible("open_to_calls") is not True:
        return None
    weight, bonus, reasons = 0, 0.0, []
    for name, values in criteria.items():
        shown = visible(FIELD[name])
        if shown in (None, "", []):
            continue
        shown_list = shown if isinstance(shown, list) else [shown]
        if name == "skill":
            hits = [s for s in shown_list if skill_keys(s) & set(values)]
        else:
            hits = [value for value in shown_list if value in values]
        if not hits:
            continue
        weight += WEIGHT[name]
        if name == "skill":
            bonus += EXTRA_SKILL * min(len(hits) - 1, MAX_EXTRA_SKILLS)
        reasons += [{"field": FIELD[name], "value": value} for value in hits]
    years = visible("years_experience")
    if isinstance(years, int) and years > 0:
        bonus += YEARS_BONUS * min(years, YEARS_FULL) / YEARS_FULL
        reasons.append({"field": "years_experience", "value": years})
    return Match(profile.user_id, weight + bonus, reasons, profile, weight)


def _ceiling(call: Call, criteria: dict[str, list[str]]) -> float:
    """The best score a member could have for this call (scores are said out of 1)."""
    top = sum(WEIGHT[name] for name in criteria) + YEARS_BONUS
    if "skill" in criteria:
        top += EXTRA_SKILL * min(len(call.skills) - 1, MAX_EXTRA_SKILLS)
    return top
