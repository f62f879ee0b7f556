"""Members: directory profiles, each field searchable only by those who may see it.

The document type (registered by `DirectoryConfig.ready()`) and the receivers that
keep it current when memberships change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_init, post_save
from django.utils import translation

from community.models import Membership
from directory.iso_codes import COUNTRIES, LANGUAGES
from directory.models import PROFILE_FIELDS, Profile, Relation
from directory.terms import concept_token
from directory.vocabulary import Engagement, ProjectStage, Region, Sector, search_words
from search import outbox, registry
from search.normalize import facet_key
from search.registry import DocumentType, Hit, IndexedDoc, Rule, Tier

MEMBERS = "members"

PROJECT_HOLDER_WORDS = "project holder porteur de projet حامل مشروع"


def profile_doc(profile: Profile, network_ids: list[int]) -> IndexedDoc:
    """The searchable form of a profile: every value carries the level of its field."""
    levels = {field: profile.level(field) for field in PROFILE_FIELDS}
    level = levels.__getitem__
    texts: list[tuple[str, int, str]] = []
    facets: list[tuple[str, str, int]] = []

    def text(group: str, field: str, value: str) -> None:
        if value:
            texts.append((group, level(field), value))

    with translation.override("en"):
        text("text", "headline", profile.headline)
        for sector in profile.sectors:
            text("text", "sectors", f"{sector} {search_words(Sector, sector)}")
            facets.append(("sector", sector, level("sectors")))
        for skill in profile.skills:
            text("text", "skills", skill)
            facets.append(("skill", facet_key(skill), level("skills")))
            # The skill's concept in the multilingual vocabulary, at the skill's own level.
            if (concept := concept_token(skill)) is not None:
                facets.append(("skill", concept, level("skills")))
        for language in profile.languages:
            text("text", "languages", f"{language} {LANGUAGES.get(language, '')}")
            facets.append(("language", language, level("languages")))
        for engagement in profile.engagement:
            text("text", "engagement", search_words(Engagement, engagement))
            facets.append(("engagement", engagement, level("engagement")))
        if profile.country:
            text("text", "country", f"{profile.country} {COUNTRIES.get(profile.country, '')}")
            facets.append(("country", profile.country, level("country")))
        text("text", "city", profile.city)
        if profile.origin_region:
            text("text", "origin_region", search_words(Region, profile.origin_region))
        if profile.is_project_holder:
            text("text", "is_project_holder", PROJECT_HOLDER_WORDS)
        facets.append(
            (
                "project_holder",
                "true" if profile.is_project_holder else "false",
                level("is_project_holder"),
            )
        )
        if profile.open_to_calls:
            facets.append(("open_to_calls", "true", level("open_to_calls")))
        text("about", "bio", profile.bio)
        if profile.is_project_holder:
            project = [profile.project_title, profile.project_summary]
            if profile.project_sector:
                project.append(search_words(Sector, profile.project_sector))
            if profile.project_stage:
                project.append(search_words(ProjectStage, profile.project_stage))
            if profile.project_target_region:
                project.append(search_words(Region, profile.project_target_region))
            text("about", "project", " ".join(p for p in project if p))
        text("about", "priority_category", profile.priority_category)

    user = profile.user
    return IndexedDoc(
        object_id=user.pk,
        network_ids=sorted(network_ids),
        name=f"{profile.display_name} {user.get_username()}".strip(),
        owner_id=user.pk,
        created_at=user.date_joined,
        texts=texts,
        facets=facets,
    )


class MemberDocuments(DocumentType):
    name = MEMBERS
    order = 10
    groups = ("text", "about")
    levels = (Relation.OUTSIDER, Relation.CO_MEMBER, Relation.OWNER)
    # As `directory.queries.relation_to`: staff and the owner, then co-members.
    tiers = (
        Tier(Relation.OWNER, Rule.STAFF),
        Tier(Relation.OWNER, Rule.OWNER),
        Tier(Relation.CO_MEMBER, Rule.SHARES_NETWORK),
    )
    facets = ("country", "sector", "language", "engagement", "project_holder")
    # `open_to_calls`: only calls.matching filters on it (the directory's facets stay).
    filters = (*facets, "skill", "open_to_calls")
    placeholder_sort = "name"

    def visible(self, rows: QuerySet[Any]) -> QuerySet[Any]:
        return rows.filter(user__is_active=True)

    def build(self, ids: Sequence[int]) -> dict[int, IndexedDoc | None]:
        """Documents by user id; a user in no network (or inactive) is in no directory."""
        networks: dict[int, list[int]] = defaultdict(list)
        for user_id, network_id in Membership.objects.filter(
            user_id__in=ids, status=Membership.Status.ACTIVE
        ).values_list("user_id", "network_id"):
            networks[user_id].append(network_id)
        docs: dict[int, IndexedDoc | None] = dict.fromkeys(ids)
        for profile in self.visible(Profile.objects.filter(user_id__in=ids)).select_related("user"):
            if networks.get(profile.user_id):
                docs[profile.user_id] = profile_doc(profile, networks[profile.user_id])
        return docs

    def source(self) -> QuerySet[Any]:
        return Profile.objects.all()

    def batches(self, size: int) -> Iterator[list[int]]:
        ids = Profile.objects.order_by("user_id").values_list("user_id", flat=True)
        last = 0
        while batch := list(ids.filter(user_id__gt=last)[:size]):
            yield batch
            last = batch[-1]

    def present(
        self, hits: Sequence[Hit], network_slug: str | None, words: list[str]
    ) -> list[dict[str, Any]]:
        rows = self.visible(Profile.objects.filter(user_id__in=[h.object_id for h in hits]))
        profiles = {p.user_id: p for p in rows.select_related("user")}
        results = []
        for hit in hits:
            profile = profiles.get(hit.object_id)
            if profile is None:
                continue
            visible = profile.visible_fields(hit.relation)
            username = profile.user.get_username()
            results.append(
                {
                    "type": self.name,
                    "id": hit.object_id,
                    "network": network_slug,
                    "title": profile.display_name or username,
                    "snippet": visible.get("headline") or "",
                    "url": f"/api/v1/profiles/{username}/",
                }
            )
        return results


# --- keeping members' documents current -------------------------------------------
#
# Membership changes move a member in or out of directories: re-index them.
#
# A member's document lists the networks they are active in (who may find them, and
# who counts as a co-member), so it must change whenever one of their memberships
# becomes or stops being active. Those writes belong to community's actions, where an
# explicit `search.outbox.enqueue` per action would be the house style (as profile,
# forum and chat actions do). Model signals are used instead because every membership
# write there funnels through two ORM calls (`Membership.objects.create` and the
# `.save()` in `save_membership`), both of which send them inside the action's
# transaction, and because cascades (a network or a user deleted) send `post_delete`
# for each membership without any action running. What a signal cannot see —
# `QuerySet.update` or `bulk_create` on memberships — nothing in the project uses.
#
# The receivers only act on what changes a document: a membership created active,
# turned active or not, or deleted while active. Joining requests and invitations
# (created pending or invited), role changes and mutes cost nothing.

ACTIVE = Membership.Status.ACTIVE


def _was_active(instance: Membership) -> bool | None:
    """Whether the row was active when loaded; None when unknown (status not loaded)."""
    return instance.__dict__.get("_search_was_active")


def _membership_loaded(sender: Any, instance: Membership, **kwargs: Any) -> None:
    # A deferred status (`.only(...)`) is not read here: that would cost a query per row.
    if "status" in instance.__dict__:
        instance._search_was_active = instance.pk is not None and instance.status == ACTIVE  # type: ignore[attr-defined]


def _membership_saved(
    sender: Any, instance: Membership, update_fields: Any = None, **kwargs: Any
) -> None:
    if update_fields is not None and "status" not in update_fields:
        return
    active = instance.status == ACTIVE
    if _was_active(instance) != active:
        outbox.enqueue(MEMBERS, [instance.user_id])
    instance._search_was_active = active  # type: ignore[attr-defined]


def _membership_deleted(sender: Any, instance: Membership, **kwargs: Any) -> None:
    if _was_active(instance) is not False:
        outbox.enqueue(MEMBERS, [instance.user_id])


def _profile_deleted(sender: Any, instance: Profile, **kwargs: Any) -> None:
    outbox.enqueue(MEMBERS, [instance.user_id])


def register() -> None:
    """Register the document type and connect its receivers (from `DirectoryConfig.ready()`)."""
    registry.register(MemberDocuments())
    uid = "directory.search"
    post_init.connect(_membership_loaded, sender=Membership, dispatch_uid=f"{uid}.membership_i")
    post_save.connect(_membership_saved, sender=Membership, dispatch_uid=f"{uid}.membership")
    post_delete.connect(_membership_deleted, sender=Membership, dispatch_uid=f"{uid}.membership_d")
    post_delete.connect(_profile_deleted, sender=Profile, dispatch_uid=f"{uid}.profile_deleted")
