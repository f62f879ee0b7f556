"""Country and language names in the reader's language, from CLDR through ICU.

The directory stores ISO codes (MA, zgh); people read names. ICU (already the source of
the username skeletons, core/names.py) carries CLDR's localized names for ar, fr and en,
so no hand list is kept here but for the one name CLDR lacks (Moroccan Arabic in
Arabic). A code CLDR has no name for in a language falls back to its English name from
the ISO tables (directory/iso_codes.py), then to the code itself.
"""

from __future__ import annotations

import functools

import icu
from django.utils import translation

from directory.iso_codes import COUNTRIES, LANGUAGES

# The few names CLDR lacks in a language this site speaks, for codes its members use.
MISSING_FROM_CLDR = {("ary", "ar"): "الدارجة المغربية"}


def _language(language: str | None) -> str:
    return (language or translation.get_language() or "en").split("-")[0]


@functools.lru_cache(maxsize=4096)
def _country(code: str, language: str) -> str:
    name = str(icu.Locale("", code).getDisplayCountry(icu.Locale(language)))
    if not name or name == code:
        return COUNTRIES.get(code, code)
    return name


@functools.lru_cache(maxsize=4096)
def _spoken(code: str, language: str) -> str:
    name = str(icu.Locale(code).getDisplayLanguage(icu.Locale(language)))
    if not name or name == code:
        if (code, language) in MISSING_FROM_CLDR:
            return MISSING_FROM_CLDR[code, language]
        return LANGUAGES.get(code, code)
    # French and others write language names in lower case inside a sentence; shown
    # alone, as a label, they start with a capital (a no-op for Arabic).
    return name[:1].upper() + name[1:]


def country_name(code: str, language: str | None = None) -> str:
    """`MA` → "Maroc" in French, "المغرب" in Arabic."""
    code = (code or "").strip().upper()
    return _country(code, _language(language)) if code else ""


def language_name(code: str, language: str | None = None) -> str:
    """`zgh` → "Amazighe standard marocain" in French."""
    code = (code or "").strip().lower()
    return _spoken(code, _language(language)) if code else ""


@functools.lru_cache(maxsize=8)
def _sorted_countries(language: str) -> tuple[tuple[str, str], ...]:
    collator = icu.Collator.createInstance(icu.Locale(language))
    named = [(code, _country(code, language)) for code in COUNTRIES]
    return tuple(sorted(named, key=lambda item: collator.getSortKey(item[1])))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """Every country as (code, name), in the language's alphabetical order."""
    return list(_sorted_countries(_language(language)))
