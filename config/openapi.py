"""OpenAPI post-processing: every operation documents the contract's error shape.

Views raise errors through `config.errors`; rather than repeat the same responses on
each `extend_schema`, this hook adds them once, so client generators know that any
400/401/403/404/409/413/429 body is `{"error": {code, message, fields}}`.
"""

from __future__ import annotations

from typing import Any

# Enums named after their model, so other apps' `kind`/`status`/`role` enums never collide
# (drf-spectacular's ENUM_NAME_OVERRIDES, config/settings.py).
ENUM_NAME_OVERRIDES = {
    # Named after their model so other apps' `kind`/`visibility`/`role` enums never collide.
    "NetworkKindEnum": "community.models.Network.Kind",
    "MeetingStatusEnum": "meetings.models.Meeting.Status",
    "MeetingFormatEnum": "meetings.models.Meeting.Format",
    "RsvpStatusEnum": "meetings.models.Rsvp.Status",
    "RsvpAnswerEnum": "meetings.serializers.ANSWERS",
    "CallKindEnum": "calls.models.Call.Kind",
    "CallStatusEnum": "calls.models.Call.Status",
    "CallOutcomeEnum": "calls.serializers.CALL_OUTCOMES",
    "ApplicationStatusEnum": "calls.models.Application.Status",
    "ApplicationOutcomeEnum": "calls.models.Application.Outcome",
    "NetworkVisibilityEnum": "community.models.Network.Visibility",
    "NetworkJoinPolicyEnum": "community.models.Network.JoinPolicy",
    "MembershipRoleEnum": "community.models.Membership.Role",
    "MembershipStatusEnum": "community.models.Membership.Status",
    # The directory's vocabularies appear under many field names (sectors, sector,
    # origin_region, target_region, every audience): one component each.
    "AudienceEnum": "directory.models.Audience",
    "SectorEnum": "directory.vocabulary.Sector",
    "EngagementEnum": "directory.vocabulary.Engagement",
    "ProjectStageEnum": "directory.vocabulary.ProjectStage",
    "MoroccanRegionEnum": "directory.vocabulary.Region",
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "snake_case, stable"},
                "message": {"type": "string", "description": "for people"},
                "fields": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "per-field messages for 400s",
                },
            },
        }
    },
}

COMMON = {
    "401": "No or invalid credentials.",
    "403": "Known to you, but not allowed.",
    "404": "Missing, or not visible to you.",
    "429": "Rate limited; see the Retry-After header.",
}
WRITES = {
    "400": "Bad input; `fields` says which.",
    "409": "Conflicts with the current state.",
    "413": "Too large.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> Any:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            errors = dict(COMMON)
            errors["400"] = WRITES["400"]  # a bad cursor, limit or filter on reads too
            if method != "get":
                errors.update(WRITES)
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": ref}}},
                )
    return result
