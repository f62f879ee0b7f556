"""What a meeting's fields may hold: every bad field of a create or an edit is reported
at once, as a 400 naming it."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.dateparse import parse_datetime

from accounts.actions import time_zones
from core.validation import FieldCleaner
from core.zones import zone_of
from directory import validation as v
from meetings.models import Meeting

MAX_DURATION = dt.timedelta(days=14)
MAX_DESCRIPTION = 20_000
FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "format",
    "venue",
    "city",
    "country",
    "online_url",
    "capacity",
)


def parse_moment(value: Any, zone: dt.tzinfo | None = dt.UTC) -> dt.datetime | None:
    """An ISO 8601 time between the years 1900 and 2999 in UTC, to the minute (a time
    without an offset read in `zone`); None for anything else — a date that does not
    exist, an offset past ±24 h, a year at the edge of what arithmetic can hold."""
    if not isinstance(value, str) or len(value) > 64 or not value.isascii():
        return None
    try:
        moment = parse_datetime(value)
        if moment is None or not 1900 <= moment.year <= 2999:
            return None
        if moment.tzinfo is None:
            if zone is None:
                return None
            moment = moment.replace(tzinfo=zone)
        return moment.astimezone(dt.UTC).replace(second=0, microsecond=0)
    except (ValueError, OverflowError):
        return None


def _moment(field: str, value: Any, zone: zoneinfo.ZoneInfo | None) -> dt.datetime:
    """ISO 8601; a time without an offset is read in the meeting's time zone."""
    moment = parse_moment(value, zone)
    if moment is None:
        raise v.invalid(field, "An ISO 8601 date and time, e.g. 2027-03-12T18:30:00Z.")
    return moment


def _zone(value: Any) -> str:
    if not isinstance(value, str) or value not in time_zones():
        raise v.invalid("timezone", "An IANA time zone, e.g. Europe/Berlin or America/Montreal.")
    return value


def _url(value: Any) -> str:
    if value in (None, ""):
        return ""
    allowed = ("https", "http") if settings.DEBUG else ("https",)
    if not isinstance(value, str) or len(value) > 500:
        raise v.invalid("online_url", "A web address of at most 500 characters.")
    value = value.strip()
    try:
        URLValidator(schemes=list(allowed))(value)
    except ValidationError:
        raise v.invalid("online_url", "An https:// address (the meeting's video link).") from None
    if urlsplit(value).scheme not in allowed:
        raise v.invalid("online_url", "An https:// address (the meeting's video link).")
    return value


def _capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise v.invalid("capacity", "A whole number of seats from 1, or null for no limit.")
    return value


def _description(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise v.invalid("description", "Must be text.")
    if len(value) > MAX_DESCRIPTION:
        raise v.invalid("description", f"At most {MAX_DESCRIPTION} characters.")
    return value.strip()


def clean(data: Any, current: Meeting | None) -> dict[str, Any]:
    """The changes `data` asks for (all the required fields when creating: `current` None),
    checked together: the end after the start, at most 14 days, the seats no fewer than
    the people going."""
    fields = FieldCleaner(data, FIELDS)
    out, errors, attempt = fields.out, fields.errors, fields.take
    if current is None:
        fields.require("title", "starts_at", "ends_at", "timezone")
    attempt("title", lambda x: v.clean_text("title", x, 200))
    if "title" in out and not out["title"]:
        errors["title"] = ["A meeting needs a title."]
    attempt("description", _description)
    attempt("timezone", _zone)
    zone_name = out.get("timezone") or (current.timezone if current else None)
    zone = zone_of(zone_name) if zone_name and "timezone" not in errors else None
    attempt("starts_at", lambda x: _moment("starts_at", x, zone))
    attempt("ends_at", lambda x: _moment("ends_at", x, zone))
    attempt("format", lambda x: v.clean_choice("format", x, Meeting.Format, blank=False))
    attempt("venue", lambda x: v.clean_text("venue", x, 200))
    attempt("city", lambda x: v.clean_text("city", x, 120))
    attempt("country", v.clean_country)
    attempt("online_url", _url)
    attempt("capacity", _capacity)
    starts = out.get("starts_at", current.starts_at if current else None)
    ends = out.get("ends_at", current.ends_at if current else None)
    if starts and ends and not {"starts_at", "ends_at"} & set(errors):
        if ends <= starts:
            errors["ends_at"] = ["The end must come after the start."]
        elif ends - starts > MAX_DURATION:
            errors["ends_at"] = ["A meeting lasts at most 14 days."]
    capacity = out.get("capacity")
    if current is not None and capacity is not None and capacity < current.going_count:
        errors["capacity"] = [
            f"{current.going_count} people are going: the capacity cannot be lower "
            "(ask some to free their seat, or keep it)."
        ]
    return fields.result("Some meeting fields are invalid.")
