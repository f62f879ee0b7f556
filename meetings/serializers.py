"""OpenAPI shapes of meetings (the views build the JSON themselves: what a reader sees
depends on who they are)."""

from __future__ import annotations

from rest_framework import serializers

from meetings.models import Meeting, Rsvp

# What a member may answer (being waitlisted is the meeting's answer, not theirs).
ANSWERS = [("going", "Going"), ("maybe", "Maybe"), ("not_going", "Not going")]


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    avatar = serializers.CharField(allow_null=True)


class MeetingWriteSerializer(serializers.Serializer):
    """Create: title, starts_at, ends_at and timezone are required; edit: any of them.
    A time without an offset is read in `timezone`."""

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False, help_text="After starts_at, ≤ 14 days.")
    timezone = serializers.CharField(required=False, help_text="IANA, e.g. Europe/Berlin.")
    format = serializers.ChoiceField(Meeting.Format.choices, required=False)
    venue = serializers.CharField(required=False, allow_blank=True, max_length=200)
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    country = serializers.CharField(required=False, allow_blank=True, help_text="ISO 3166.")
    online_url = serializers.URLField(required=False, allow_blank=True, help_text="https:// only.")
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="null: no limit."
    )


class MyRsvpSerializer(serializers.Serializer):
    status = serializers.ChoiceField(Rsvp.Status.choices)
    waitlist_position = serializers.IntegerField(allow_null=True, help_text="1: next in line.")
    checked_in = serializers.BooleanField()


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    network = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    description_html = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    timezone = serializers.CharField()
    format = serializers.ChoiceField(Meeting.Format.choices)
    venue = serializers.CharField()
    city = serializers.CharField()
    country = serializers.CharField()
    online_url = serializers.CharField(
        allow_null=True, help_text="Only to organisers and people going; null to others."
    )
    capacity = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(Meeting.Status.choices)
    sequence = serializers.IntegerField()
    going_count = serializers.IntegerField()
    waitlist_count = serializers.IntegerField()
    my_rsvp = MyRsvpSerializer(allow_null=True)
    organizer = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class RsvpWriteSerializer(serializers.Serializer):
    status = serializers.ChoiceField(ANSWERS)


class RsvpResultSerializer(serializers.Serializer):
    rsvp = serializers.ChoiceField(Rsvp.Status.choices)
    waitlist_position = serializers.IntegerField(allow_null=True)


class AttendeeSerializer(serializers.Serializer):
    user = PersonSerializer()
    rsvp = serializers.ChoiceField(Rsvp.Status.choices)
    checked_in = serializers.BooleanField()
    checked_in_at = serializers.DateTimeField(allow_null=True)


class CheckInSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()


class CalendarTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    feeds = serializers.DictField(
        child=serializers.CharField(), help_text="network slug → its feed's address, with the token"
    )
