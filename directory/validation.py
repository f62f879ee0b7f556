"""Validation of profile values, shared by the API, the CSV import and the directory filters.

Every cleaner returns the stored form or raises InvalidInput naming the field, so a
client (or a spreadsheet row) learns exactly what to fix.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import InvalidInput
from core.validation import is_int
from directory.iso_codes import COUNTRIES, LANGUAGES
from directory.models import AUDIENCE_RANK, DEFAULT_VISIBILITY, FIXED_VISIBILITY
from directory.vocabulary import ProjectStage, Region, Sector
from search.normalize import facet_key

MAX_SKILLS = 30
MAX_SKILL_CHARS = 50
MAX_LIST = 20
MAX_YEARS = 80

TEXT_LIMITS = {"display_name": 120, "headline": 200, "bio": 5000, "city": 120}
PROJECT_LIMITS = {"title": 200, "summary": 2000}


def invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput("invalid", f"{field}: {message}", {field: [message]})


def clean_text(field: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(field, _("Must be text."))
    value = " ".join(value.split()) if field != "bio" and field != "summary" else value.strip()
    if len(value) > limit:
        raise invalid(field, _("At most %(n)d characters.") % {"n": limit})
    return value


def clean_country(value: Any, field: str = "country") -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or value.strip().upper() not in COUNTRIES:
        raise invalid(
            field,
            _("Unknown country code %(code)r; use ISO 3166 alpha-2 (MA, CA).")
            % {"code": str(value)[:20]},
        )
    return value.strip().upper()


def clean_choice(field: str, value: Any, choices: type, *, blank: bool = True) -> str:
    if value in (None, "") and blank:
        return ""
    if not isinstance(value, str) or value not in choices.values:  # type: ignore[attr-defined]
        allowed = ", ".join(choices.values)  # type: ignore[attr-defined]
        raise invalid(
            field,
            _("Unknown value %(value)r; one of %(allowed)s.")
            % {"value": str(value)[:40], "allowed": allowed},
        )
    return value


def clean_choices(field: str, value: Any, choices: type) -> list[str]:
    values = _list(field, value)
    return _dedupe(clean_choice(field, v, choices, blank=False) for v in values)


def clean_countries(value: Any, field: str = "countries", limit: int = MAX_LIST) -> list[str]:
    """ISO 3166 codes, each once; a blank one is refused (it would mean none)."""
    codes = []
    for raw in _list(field, value, limit):
        code = clean_country(raw, field)
        if not code:
            raise invalid(field, _("A country code cannot be blank."))
        codes.append(code)
    return _dedupe(codes)


def clean_language(value: Any, field: str = "languages") -> str:
    if not isinstance(value, str) or value.strip().lower() not in LANGUAGES:
        raise invalid(
            field,
            _("Unknown language code %(code)r; use ISO 639 (ar, zgh, fr, en).")
            % {"code": str(value)[:20]},
        )
    return value.strip().lower()


def clean_languages(value: Any) -> list[str]:
    return _dedupe(clean_language(v) for v in _list("languages", value))


def clean_skill(value: Any, field: str = "skills") -> str:
    """A free tag, normalized: trimmed, single spaces, lower case (accents kept for display)."""
    if not isinstance(value, str):
        raise invalid(field, _("Each skill must be text."))
    skill = " ".join(value.split()).casefold()
    if not skill or not facet_key(skill):
        raise invalid(field, _("A skill cannot be blank."))
    if len(skill) > MAX_SKILL_CHARS:
        raise invalid(field, _("A skill has at most %(n)d characters.") % {"n": MAX_SKILL_CHARS})
    return skill


def clean_skills(value: Any) -> list[str]:
    skills: dict[str, str] = {}
    for raw in _list("skills", value, MAX_SKILLS):
        skill = clean_skill(raw)
        skills.setdefault(facet_key(skill), skill)
    return list(skills.values())


def clean_years(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not is_int(value) or not 0 <= value <= MAX_YEARS:
        raise invalid("years_experience", f"A whole number from 0 to {MAX_YEARS}.")
    return value


def clean_bool(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "oui"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "non", ""):
        return False
    raise invalid(field, _("true or false."))


def clean_project(value: Any, current: dict[str, Any] | None) -> dict[str, Any]:
    """Project fields as model fields; a partial object updates only what it names."""
    if value is None:
        return {
            f"project_{k}": "" for k in ("title", "sector", "stage", "target_region", "summary")
        }
    if not isinstance(value, dict):
        raise invalid("project", "An object {title, sector, stage, target_region, summary}.")
    unknown = set(value) - {"title", "sector", "stage", "target_region", "summary"}
    if unknown:
        raise invalid("project", f"Unknown project fields: {', '.join(sorted(unknown))}.")
    cleaned: dict[str, Any] = {}
    for key in ("title", "summary"):
        if key in value:
            cleaned[f"project_{key}"] = clean_text(key, value[key], PROJECT_LIMITS[key])
    if "sector" in value:
        cleaned["project_sector"] = clean_choice("project.sector", value["sector"], Sector)
    if "stage" in value:
        cleaned["project_stage"] = clean_choice("project.stage", value["stage"], ProjectStage)
    if "target_region" in value:
        cleaned["project_target_region"] = clean_choice(
            "project.target_region", value["target_region"], Region
        )
    return cleaned


def clean_visibility(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid("visibility", "An object from field name to public, members or private.")
    cleaned = {}
    for field, audience in value.items():
        if field in FIXED_VISIBILITY:
            raise invalid(
                "visibility", f"{field} is always {FIXED_VISIBILITY[field]}; it cannot change."
            )
        if field not in DEFAULT_VISIBILITY:
            raise invalid("visibility", f"Unknown field {str(field)[:40]!r}.")
        if audience not in AUDIENCE_RANK:
            raise invalid("visibility", f"{field}: one of public, members, private.")
        cleaned[field] = audience
    return cleaned


def _list(field: str, value: Any, limit: int = MAX_LIST) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [part for part in (p.strip() for p in value.split(",")) if part]
    if not isinstance(value, list):
        raise invalid(field, _("A list."))
    if len(value) > limit:
        raise invalid(field, _("At most %(n)d values.") % {"n": limit})
    return value


def _dedupe(values: Any) -> list[str]:
    return list(dict.fromkeys(values))
