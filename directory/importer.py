"""Reading a network's member spreadsheet (CSV) into validated import rows.

Every line is checked before anything is written; each problem is reported with its
line number, so a network can fix its sheet in one pass.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts.identity import username_taken
from community.models import Membership, Network
from core.errors import InvalidInput
from core.names import normalize_username, username_key
from directory import validation as v
from directory.actions import ImportRow
from directory.vocabulary import Engagement, ProjectStage, Region, Sector

COLUMNS = (
    "email",
    "username",
    "display_name",
    "headline",
    "bio",
    "country",
    "city",
    "origin_region",
    "sectors",
    "skills",
    "languages",
    "years_experience",
    "engagement",
    "is_project_holder",
    "project_title",
    "project_sector",
    "project_stage",
    "project_target_region",
    "project_summary",
)
MAX_ROWS = 50_000
_LIST_SEPARATORS = re.compile(r"[;|,]")


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in _LIST_SEPARATORS.split(cell) if part.strip()]


CELL_CLEANERS: dict[str, Any] = {
    "display_name": lambda c: v.clean_text("display_name", c, 120),
    "headline": lambda c: v.clean_text("headline", c, 200),
    "bio": lambda c: v.clean_text("bio", c, 5000),
    "country": v.clean_country,
    "city": lambda c: v.clean_text("city", c, 120),
    "origin_region": lambda c: v.clean_choice("origin_region", c, Region),
    "sectors": lambda c: v.clean_choices("sectors", _split(c), Sector),
    "skills": lambda c: v.clean_skills(_split(c)),
    "languages": lambda c: v.clean_languages(_split(c)),
    "years_experience": v.clean_years,
    "engagement": lambda c: v.clean_choices("engagement", _split(c), Engagement),
    "is_project_holder": lambda c: v.clean_bool("is_project_holder", c),
    "project_title": lambda c: v.clean_text("project_title", c, 200),
    "project_sector": lambda c: v.clean_choice("project_sector", c, Sector),
    "project_stage": lambda c: v.clean_choice("project_stage", c, ProjectStage),
    "project_target_region": lambda c: v.clean_choice("project_target_region", c, Region),
    "project_summary": lambda c: v.clean_text("project_summary", c, 2000),
}


def decode(data: bytes) -> str:
    """The file as text, or InvalidInput saying where it stops being UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            "encoding",
            f"line {line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "export it as “CSV UTF-8” and try again.",
        ) from None


def parse(data: bytes, network: Network) -> ParsedFile:
    """Validate every line; rows are returned only when no line has an error."""
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    result = ParsedFile()
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    if "email" not in header:
        result.errors.append("line 1: the header has no email column.")
        return result
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        result.errors.append(
            f"line 1: unknown columns {', '.join(unknown)}; known: {', '.join(COLUMNS)}."
        )
        return result
    UserModel = get_user_model()
    seen_emails: dict[str, int] = {}
    usernames: set[str] = set()
    for record in reader:
        line = reader.line_num
        if len(result.rows) + len(result.errors) >= MAX_ROWS:
            result.errors.append(f"line {line}: more than {MAX_ROWS} rows; split the file.")
            break
        if None in record:
            result.errors.append(f"line {line}: more cells than columns.")
            continue
        cells = {k: (val or "").strip() for k, val in record.items()}
        if not any(cells.values()):
            continue
        problems: list[str] = []
        email = cells.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                "email: missing or not an email address"
                if email == ""
                else f"email: {email[:80]!r} is not an email address"
            )
        if email in seen_emails:
            problems.append(f"email: {email} already on line {seen_emails[email]}")
        profile: dict[str, Any] = {}
        for column, cleaner in CELL_CLEANERS.items():
            if cells.get(column):
                try:
                    profile[column] = cleaner(cells[column])
                except InvalidInput as exc:
                    problems += [f"{column}: {'; '.join(map(str, m))}" for m in exc.fields.values()]
        existing = UserModel.objects.filter(email__iexact=email).first() if email else None
        if (
            existing is not None
            and Membership.objects.filter(
                user=existing, network=network, status=Membership.Status.BANNED
            ).exists()
        ):
            problems.append(f"{email} is banned from {network.slug}")
        username = ""
        if existing is None and email:
            username = _username(cells.get("username", ""), email, usernames)
            if not username:
                problems.append("username: use letters, digits and . @ + - _ only")
        if problems:
            result.errors.append(f"line {line}: " + "; ".join(problems))
            continue
        seen_emails[email] = line
        usernames.add(username_key(username))
        result.rows.append(
            ImportRow(
                line=line,
                email=email,
                username=username,
                profile=profile,
                existing_id=existing.pk if existing else None,
            )
        )
    if result.errors:
        result.rows = []
    return result


def _username(wanted: str, email: str, taken_in_file: set[str]) -> str:
    """The wanted username, or one made from the email, free in the database and the file."""
    base = wanted or email.split("@", 1)[0]
    if wanted and not re.fullmatch(r"[\w.@+-]{1,150}", wanted):
        return ""
    base = re.sub(r"[^\w.@+-]", "", base)[:140] or "member"
    candidate, n = normalize_username(base), 1
    while username_key(candidate) in taken_in_file or username_taken(candidate):
        n += 1
        candidate = normalize_username(f"{base}{n}")
    return candidate
