"""Text normalization shared by every backend, applied to documents and queries alike.

Neither SQLite nor PostgreSQL knows that أحمد, احمد and إحمد are one name, and
Meilisearch folds some Arabic letters but not all of them (ة/ه, ى/ي) and only when it
detects the language right. So both sides of every comparison go through `normalize`:

- Unicode compatibility decomposition, then every combining mark dropped: Latin
  accents (é → e) and Arabic harakat, shadda, superscript alef and the hamza carried
  by أ إ آ ؤ ئ (→ ا ا ا و ي);
- Arabic letter variants folded: ة → ه, ى → ي, ٱ → ا, Persian ک/ی → ك/ي, tatweel removed,
  Arabic-Indic digits → 0–9;
- case folded, punctuation turned into spaces;
- transliterated given names brought to one spelling (Mohammed, Muhammad → mohamed).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_ARABIC_FOLD = str.maketrans(
    {
        "ة": "ه",
        "ى": "ي",
        "ٱ": "ا",
        "ک": "ك",
        "ی": "ي",
        "ۀ": "ه",
        "ڭ": "ك",
        "ـ": None,  # tatweel
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "ı": "i",
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

# Transliterations of the same given name, by their normalized spelling → one canonical form.
_NAME_VARIANTS: dict[str, tuple[str, ...]] = {
    "mohamed": (
        "mohammed",
        "muhammad",
        "mohammad",
        "mohamad",
        "muhammed",
        "mohammod",
        "mouhamed",
        "mouhammed",
        "mohamet",
        "mhamed",
        "mehmed",
    ),
    "youssef": ("yusuf", "youssouf", "yousef", "yusef", "youcef", "yousseff", "yossef", "yousuf"),
    "ahmed": ("ahmad", "ahmet", "ahmid"),
    "fatima": ("fatimah", "fatema", "fatma", "fatiha"),
    "khadija": ("khadidja", "khadijah", "khadeeja", "hadija"),
    "hassan": ("hasan", "hacene"),
    "hussein": ("hussain", "houssine", "hocine", "husein", "houcine", "hossein"),
    "abdellah": ("abdallah", "abdullah", "abdoullah", "abdalla"),
    "said": ("saeed", "saaid", "sayid"),
    "rachid": ("rashid", "rachide", "rasheed"),
    "karim": ("kareem", "karime"),
    "mustapha": ("mustafa", "moustapha", "mostafa", "moustafa"),
    "omar": ("umar", "omer", "oumar"),
    "othmane": ("othman", "osman", "uthman", "otmane", "outhmane"),
    "ayoub": ("ayub", "ayyoub", "ayyub"),
    "ibrahim": ("brahim", "ebrahim", "ibraheem"),
    "idriss": ("driss", "idris", "edriss"),
    "younes": ("yunus", "younis", "younesse", "yunes"),
    "soufiane": ("sofiane", "sufyan", "soufyane", "sofian"),
    "zineb": ("zaynab", "zeinab", "zainab", "zeynab"),
    "meryem": ("maryam", "mariam", "meriem", "myriam"),
    "hicham": ("hisham", "hichem"),
    "abderrahmane": ("abdelrahman", "abderrahman", "abdulrahman", "abdurrahman"),
    "aicha": ("aisha", "aycha", "aichah", "ayesha"),
}
_CANONICAL: dict[str, str] = {
    variant: canonical
    for canonical, variants in _NAME_VARIANTS.items()
    for variant in (canonical, *variants)
}


@lru_cache(maxsize=1)
def _bmp_fold() -> dict[int, str | None]:
    """One translation table for the Basic Multilingual Plane: every combining mark
    dropped, then the letter folds (none of which yields a combining mark)."""
    table: dict[int, str | None] = {
        cp: None for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))
    }
    table.update(_ARABIC_FOLD)
    return table


@lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    if text.isascii():  # no marks, nothing to fold: most Latin text, and indexing's bulk
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    if max(decomposed) <= "\uffff":
        return decomposed.translate(_bmp_fold()).casefold()
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.translate(_ARABIC_FOLD).casefold()


def normalize(text: str) -> str:
    """Lower-case, accent-free, Arabic-folded words separated by single spaces."""
    if not text:
        return ""
    words = _SEPARATORS.sub(" ", _fold(text[:20000])).split()
    return " ".join(_CANONICAL.get(word, word) for word in words)


def tokens(text: str) -> list[str]:
    return normalize(text).split()


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def split_scripts(normalized: str) -> tuple[str, str]:
    """(words in other scripts, words in Arabic script) of an already normalized text.

    Meilisearch is told the second part is Arabic (`localizedAttributes`), so it never
    guesses Persian or Urdu from a short Arabic headline.
    """
    if normalized.isascii():
        return normalized, ""
    latin: list[str] = []
    arabic: list[str] = []
    for word in normalized.split():
        (arabic if has_arabic(word) else latin).append(word)
    return " ".join(latin), " ".join(arabic)


_TAG_SEPARATORS = re.compile(r"[^\w+#.]+|_+", re.UNICODE)


def facet_key(value: str) -> str:
    """How a free tag (a skill) is compared: folded like text, but "c++", "c#" and
    "node.js" keep the signs that make them different skills."""
    return " ".join(_TAG_SEPARATORS.sub(" ", _fold(value[:200])).split())
