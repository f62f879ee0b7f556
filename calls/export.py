"""A call's applications as CSV for its managers: each applicant's profile fields only
where the applicant lets the downloader see them (a hidden field is an empty cell)."""

from __future__ import annotations

import csv
import io
from typing import Any

from calls import queries
from calls.models import Call

COLUMNS = (
    "application",
    "username",
    "name",
    "status",
    "applied_at",
    "available_from",
    "available_to",
    "message",
    "headline",
    "country",
    "sectors",
    "skills",
    "languages",
    "years_experience",
    "outcome",
    "outcome_days",
)
# A cell a spreadsheet would run as a formula (CSV injection) is kept as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def applications_csv(call: Call, viewer: Any) -> str:
    rows = list(queries.applications(call).order_by("created_at", "id"))
    shown = queries.applicant_view(viewer, rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for application in rows:
        data = queries.application_json(application, shown.get(application.applicant_id))
        profile = data["profile"]
        person = data["applicant"] or {}
        writer.writerow(
            [
                cell(v)
                for v in (
                    application.pk,
                    person.get("username"),
                    person.get("display_name"),
                    application.status,
                    application.created_at.isoformat(),
                    application.available_from,
                    application.available_to,
                    application.message,
                    profile.get("headline"),
                    profile.get("country"),
                    profile.get("sectors"),
                    profile.get("skills"),
                    profile.get("languages"),
                    profile.get("years_experience"),
                    application.outcome,
                    application.outcome_days,
                )
            ]
        )
    return out.getvalue()
