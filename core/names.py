"""How people and places are known: username keys and clean names.

`username_key` is what makes two usernames "the same" for uniqueness and sign-in:
NFKC (as Django's `AbstractBaseUser.normalize_username`), case folding, then the
Unicode UTS #39 confusable skeleton — so `аdmin` (Cyrillic а), `ａｄｍｉｎ`, `𝐚dmin`
and `Admin` all have the key of `admin`. The skeleton is ICU's own implementation
(`SpoofChecker.getSkeleton`, the reference implementation of UTS #39 with the
Unicode data of the ICU release), not a hand-made table.

`clean_name` takes out of a display name, network, room or category name or topic
title the invisible characters that can reorder or hide the text around them.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks
# LRM, RLM and ALM: they reorder the characters around them.
BIDI_CONTROLS = frozenset(
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)
)
# Zero-width space, word joiner, BOM, the invisible math operators, Mongolian vowel
# separator: nothing a name needs.
INVISIBLES = frozenset(chr(c) for c in (0x200B, 0x2060, 0xFEFF, 0x2061, 0x2062, 0x2063, 0x2064))
# ZWNJ is needed in Persian/Urdu words and Indic scripts, ZWJ inside emoji sequences
# (👩‍💻) and Indic conjuncts: kept, but only between two visible characters.
JOINERS = frozenset({"\u200c", "\u200d"})


def normalize_username(username: str) -> str:
    """The stored form of a username: NFKC, as Django's AbstractBaseUser does."""
    return unicodedata.normalize("NFKC", username)


@functools.cache
def _spoof_checker() -> Any:
    import icu  # ICU is large: load it on the first username, not at import

    return icu.SpoofChecker()


def username_key(username: str) -> str:
    """The key two usernames share when a reader could take one for the other."""
    folded = unicodedata.normalize("NFKC", normalize_username(username).casefold())
    return str(_spoof_checker().getSkeleton(0, folded))


def email_key(email: str) -> str | None:
    """The key of an email address, case-insensitive; None for no address (never unique)."""
    email = email.strip()
    return email.casefold() if email else None


def clean_name(value: str) -> str:
    """A name without bidi controls or stray zero-width characters, whitespace trimmed.

    Names are shown beside other text (a message author, a room in a list): a U+202E
    in one would reverse what follows it, and a name of zero-width spaces looks empty.
    """
    chars = [c for c in value if c not in BIDI_CONTROLS and c not in INVISIBLES]
    kept: list[str] = []
    for i, c in enumerate(chars):
        if c in JOINERS:
            before = kept[-1] if kept else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if not _visible(before) or not _visible(after):
                continue
        kept.append(c)
    return "".join(kept).strip()


def _visible(c: str) -> bool:
    return bool(c) and not c.isspace() and c not in JOINERS
