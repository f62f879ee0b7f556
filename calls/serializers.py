"""OpenAPI shapes of calls and applications (the views build the JSON themselves: what a
reader sees depends on who they are)."""

from __future__ import annotations

from rest_framework import serializers

from calls.models import Application, Call
from directory.vocabulary import Region, Sector
from meetings.serializers import PersonSerializer


class CallWriteSerializer(serializers.Serializer):
    """Create: title, kind and deadline are required; edit (draft or open): any field."""

    title = serializers.CharField(max_length=200, required=False)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    body = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    kind = serializers.ChoiceField(Call.Kind.choices, required=False)
    sectors = serializers.ListField(child=serializers.ChoiceField(Sector.choices), required=False)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=30
    )
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    countries = serializers.ListField(child=serializers.CharField(), required=False)
    remote = serializers.BooleanField(required=False)
    moroccan_region = serializers.ChoiceField(Region.choices, required=False, allow_blank=True)
    duration_days = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    deadline = serializers.CharField(
        required=False, help_text="ISO 8601 time or date (its end, UTC); in the future."
    )
    positions = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    message_required = serializers.BooleanField(required=False)


class OwnApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(Application.Status.choices)
    message = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    available_to = serializers.DateField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CallSerializer(CallWriteSerializer):
    id = serializers.IntegerField()
    network = serializers.CharField()
    body_html = serializers.CharField()
    status = serializers.ChoiceField(Call.Status.choices)
    accepting_applications = serializers.BooleanField()
    poster = PersonSerializer(allow_null=True)
    applications_count = serializers.IntegerField()
    accepted_count = serializers.IntegerField()
    my_application = OwnApplicationSerializer(allow_null=True)
    may_manage = serializers.BooleanField()
    published_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


CALL_OUTCOMES = [("filled", "Filled"), ("closed", "Closed"), ("cancelled", "Cancelled")]


class CloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(CALL_OUTCOMES)


class ReasonSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The profile field that matched.")
    value = serializers.JSONField()


class MatchSerializer(serializers.Serializer):
    user = PersonSerializer()
    score = serializers.FloatField(help_text="0–1: how much of the call the member fits.")
    reasons = ReasonSerializer(many=True)
    applied = serializers.BooleanField()


class MatchesSerializer(serializers.Serializer):
    results = MatchSerializer(many=True)


class ApplyWriteSerializer(serializers.Serializer):
    message = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    available_from = serializers.DateField(required=False, allow_null=True)
    available_to = serializers.DateField(required=False, allow_null=True)


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    call = serializers.IntegerField()
    applicant = PersonSerializer()
    profile = serializers.DictField(help_text="The applicant's fields the caller may see.")
    message = serializers.CharField()
    available_from = serializers.DateField(allow_null=True)
    available_to = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(Application.Status.choices)
    decided_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_null=True)
    outcome_days = serializers.IntegerField(allow_null=True)
    outcome_feedback = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CallBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    network = serializers.CharField()
    status = serializers.ChoiceField(Call.Status.choices)
    deadline = serializers.DateTimeField()


class MyApplicationSerializer(OwnApplicationSerializer):
    call = CallBriefSerializer()


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(Application.Outcome.choices)
    days = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class DecisionSerializer(serializers.Serializer):
    call = serializers.IntegerField(
        required=False, help_text="The call the decision is about: refused (409) if another."
    )
