"""The multilingual vocabulary of professions and skills (directory/data/vocabulary.toml):
which concept a term stands for, whatever its language.

A term is looked up in its folded form (`search.normalize.facet_key`) with a leading
Arabic article set aside on each word ("الطاقة المتجددة" and "طاقة متجددة" are one
term), so a call for a "cardiologue" and a profile saying "طبيب قلب" or "Cardiologist"
meet at the concept `cardiology`. Concepts are tokens of their own in the members'
search documents (`concept_token`), filtered through the directory's search like any
facet value, so a concept matches only where the skill behind it may be seen.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from search.normalize import facet_key

VOCABULARY = Path(__file__).resolve().parent / "data" / "vocabulary.toml"
LANGUAGES = ("ar", "fr", "en")
# A concept's token among the skill facet's values: no skill is written this way.
PREFIX = "~"


def lookup_key(term: str) -> str:
    """The folded form a term is compared in."""
    words = []
    for word in facet_key(term).split():
        for article in ("وال", "بال", "كال", "فال", "ال"):
            if word.startswith(article) and len(word) - len(article) >= 3:
                word = word[len(article) :]
                break
        words.append(word)
    return " ".join(words)


@lru_cache(maxsize=1)
def concepts() -> dict[str, dict[str, tuple[str, ...]]]:
    """Concept → language → terms, as the file says."""
    with VOCABULARY.open("rb") as source:
        data = tomllib.load(source)
    return {
        concept: {lang: tuple(terms.get(lang, ())) for lang in LANGUAGES}
        for concept, terms in data.items()
    }


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for concept, by_language in concepts().items():
        for terms in by_language.values():
            for term in terms:
                key = lookup_key(term)
                if index.setdefault(key, concept) != concept:
                    raise ValueError(f"{term!r} stands for both {index[key]} and {concept}")
    return index


def concept_of(term: str) -> str | None:
    """The concept a term stands for (None for a term the vocabulary does not hold)."""
    return _index().get(lookup_key(term))


def concept_token(term: str) -> str | None:
    """The skill facet's token of the term's concept, or None."""
    concept = concept_of(term)
    return f"{PREFIX}{concept}" if concept is not None else None
