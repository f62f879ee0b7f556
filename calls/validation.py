"""What a call's fields and an application may hold: the directory's own vocabulary (one
list of sectors, languages and countries, not a second copy), every bad field reported
at once as a 400 naming it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from calls.models import Application, Call
from core.validation import FieldCleaner, is_int
from directory import validation as v
from directory.vocabulary import Region, Sector
from meetings.validation import parse_moment

MAX_BODY = 20_000
MAX_MESSAGE = 5_000
MAX_FEEDBACK = 5_000
MAX_POSITIONS = 1_000
MAX_DURATION_DAYS = 3_650
MAX_COUNTRIES = 30
CALL_FIELDS = (
    "title",
    "summary",
    "body",
    "kind",
    "sectors",
    "skills",
    "languages",
    "countries",
    "remote",
    "moroccan_region",
    "duration_days",
    "deadline",
    "positions",
    "message_required",
)


def _long_text(field: str, limit: int) -> Any:
    def clean(value: Any) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise v.invalid(field, _("Must be text."))
        if len(value) > limit:
            raise v.invalid(field, _("At most %(n)d characters.") % {"n": limit})
        return value.strip()

    return clean


def _whole(field: str, low: int, high: int, *, blank: bool) -> Any:
    def clean(value: Any) -> int | None:
        if value in (None, "") and blank:
            return None
        if not is_int(value) or not low <= value <= high:
            raise v.invalid(
                field, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
            )
        return value

    return clean


def _deadline(value: Any) -> dt.datetime:
    """ISO 8601: a time, or a date (the end of that day, UTC); in the future."""
    moment = parse_moment(value)
    if moment is None and isinstance(value, str) and len(value) == 10 and value.isascii():
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is not None and 1900 <= day.year <= 2999:
            moment = dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC)
    if moment is None:
        raise v.invalid("deadline", _("An ISO 8601 date or time, e.g. 2027-03-31."))
    if moment <= timezone.now():
        raise v.invalid("deadline", _("The deadline must be in the future."))
    return moment


def clean_call(data: Any, current: Call | None) -> dict[str, Any]:
    """The changes `data` asks for (title, kind and deadline required when creating)."""
    fields = FieldCleaner(data, CALL_FIELDS)
    if current is None:
        fields.require("title", "kind", "deadline")
    fields.take("title", lambda x: v.clean_text("title", x, 200))
    if fields.out.get("title") == "":
        fields.error("title", _("A call needs a title."))
    fields.take("summary", lambda x: v.clean_text("summary", x, 500))
    fields.take("body", _long_text("body", MAX_BODY))
    fields.take("kind", lambda x: v.clean_choice("kind", x, Call.Kind, blank=False))
    fields.take("sectors", lambda x: v.clean_choices("sectors", x, Sector))
    fields.take("skills", v.clean_skills)
    fields.take("languages", v.clean_languages)
    fields.take("countries", lambda x: v.clean_countries(x, limit=MAX_COUNTRIES))
    fields.take("remote", lambda x: v.clean_bool("remote", x))
    fields.take("moroccan_region", lambda x: v.clean_choice("moroccan_region", x, Region))
    fields.take("duration_days", _whole("duration_days", 1, MAX_DURATION_DAYS, blank=True))
    fields.take("deadline", _deadline)
    fields.take("positions", _whole("positions", 1, MAX_POSITIONS, blank=False))
    fields.take("message_required", lambda x: v.clean_bool("message_required", x))
    positions = fields.out.get("positions")
    if current is not None and positions is not None and positions < current.accepted_count:
        fields.error(
            "positions",
            _("%(n)d applicants are accepted: positions cannot be fewer.")
            % {"n": current.accepted_count},
        )
    return fields.result("Some call fields are invalid.")


def _day(field: str) -> Any:
    def clean(value: Any) -> dt.date | None:
        if value in (None, ""):
            return None
        try:
            day = parse_date(value) if isinstance(value, str) and value.isascii() else None
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2999:
            raise v.invalid(field, _("An ISO 8601 date, e.g. 2027-06-01."))
        return day

    return clean


def clean_application(data: Any, call: Call) -> dict[str, Any]:
    fields = FieldCleaner(data, ("message", "available_from", "available_to"))
    fields.take("message", _long_text("message", MAX_MESSAGE))
    fields.take("available_from", _day("available_from"))
    fields.take("available_to", _day("available_to"))
    if call.message_required and not fields.out.get("message") and "message" not in fields.errors:
        fields.error("message", _("This call asks for a message: say why you fit it."))
    start, end = fields.out.get("available_from"), fields.out.get("available_to")
    if start and end and end < start:
        fields.error("available_to", _("The end of your availability comes after its start."))
    return fields.result("Some application fields are invalid.")


def clean_outcome(data: Any) -> dict[str, Any]:
    fields = FieldCleaner(data, ("status", "days", "feedback"))
    fields.require("status")
    fields.take("status", lambda x: v.clean_choice("status", x, Application.Outcome, blank=False))
    fields.take("days", _whole("days", 0, MAX_DURATION_DAYS, blank=True))
    fields.take("feedback", _long_text("feedback", MAX_FEEDBACK))
    return fields.result("Some outcome fields are invalid.")
