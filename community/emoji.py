"""Is this string exactly one emoji? The reaction validator of forums and chat.

A reaction is one emoji as a user sees it: one grapheme, which may be several code
points. The grammar follows Unicode Technical Standard #51 (ED-14 … ED-17):

    emoji       = element ( ZWJ element )*          # 👩‍💻, 🏳️‍🌈, 👨‍👩‍👧
    element     = keycap | flag | tag_sequence | base
    keycap      = [0-9#*] FE0F? 20E3                  # 1️⃣
    flag        = RI RI                               # 🇲🇦
    tag_sequence= 1F3F4 [E0020-E007E]+ E007F          # 🏴󠁧󠁢󠁳󠁣󠁴󠁿
    base        = emoji_char ( FE0F | modifier )?     # ❤️, 👍🏽

`emoji_char` comes from the generated tables in `emoji_data`; characters unassigned
in this Python's Unicode database but inside the blocks Unicode reserves for future
emoji (Extended_Pictographic) are accepted too, so an emoji newer than the server's
Python still works. Anything else — letters, digits alone, markup, control or
invisible characters, two emoji side by side — is refused.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from typing import Any

from community.emoji_data import EMOJI_RANGES, MODIFIER_BASE_RANGES
from core.errors import InvalidInput

ZWJ = 0x200D
VS16 = 0xFE0F  # emoji presentation selector
VS15 = 0xFE0E  # text presentation selector: a reaction is never text-style
KEYCAP = 0x20E3
BLACK_FLAG = 0x1F3F4
TAG_END = 0xE007F
MODIFIERS = range(0x1F3FB, 0x1F3FF + 1)
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F1FF + 1)
TAGS = range(0xE0020, 0xE007E + 1)
HAIR_COMPONENTS = range(0x1F9B0, 0x1F9B3 + 1)  # only inside ZWJ sequences (🧑‍🦰)
KEYCAP_BASES = frozenset(map(ord, "0123456789#*"))

# Reserved (unassigned) code points that Unicode sets aside for future pictographs.
FUTURE_EMOJI_BLOCKS: tuple[tuple[int, int], ...] = (
    (0x1F000, 0x1F0FF),
    (0x1F10D, 0x1F10F),
    (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F),
    (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF),
    (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)

MAX_CODE_POINTS = 32  # the longest RGI sequences (families, kiss with skin tones) are ~10
MAX_ELEMENTS = 8


def _in_ranges(ranges: tuple[tuple[int, int], ...], code: int) -> bool:
    index = bisect_right(ranges, (code, 0x10FFFF)) - 1
    return index >= 0 and ranges[index][0] <= code <= ranges[index][1]


def _is_emoji_char(code: int) -> bool:
    if _in_ranges(EMOJI_RANGES, code):
        return True
    # A pictograph newer than this Python's Unicode database: unassigned here, but in a
    # block reserved for emoji.
    return unicodedata.category(chr(code)) == "Cn" and _in_ranges(FUTURE_EMOJI_BLOCKS, code)


def _element(codes: list[int], i: int, in_sequence: bool) -> int | None:
    """Parse one element at codes[i]; return the index after it, or None if there is none."""
    n = len(codes)
    code = codes[i]
    if code in KEYCAP_BASES:
        j = i + 1
        if j < n and codes[j] == VS16:
            j += 1
        return j + 1 if j < n and codes[j] == KEYCAP else None
    if code in REGIONAL_INDICATORS:
        return i + 2 if i + 1 < n and codes[i + 1] in REGIONAL_INDICATORS else None
    if code == BLACK_FLAG and i + 1 < n and codes[i + 1] in TAGS:
        j = i + 1
        while j < n and codes[j] in TAGS:
            j += 1
        return j + 1 if j < n and codes[j] == TAG_END else None
    if code in HAIR_COMPONENTS:
        return i + 1 if in_sequence else None
    if not _is_emoji_char(code):
        return None
    j = i + 1
    if j < n and codes[j] == VS16:
        return j + 1
    if j < n and codes[j] in MODIFIERS:
        return j + 1 if _in_ranges(MODIFIER_BASE_RANGES, code) else None
    return j


def is_single_emoji(value: object) -> bool:
    """True when `value` is a string holding exactly one emoji (one grapheme), nothing else."""
    if not isinstance(value, str) or not value:
        return False
    codes = [ord(ch) for ch in value]
    if len(codes) > MAX_CODE_POINTS or codes[0] == ZWJ:
        return False
    multi = ZWJ in codes
    i, elements = 0, 0
    while True:
        end = _element(codes, i, multi)
        if end is None:
            return False
        elements += 1
        if end == len(codes):
            return elements <= MAX_ELEMENTS
        if codes[end] != ZWJ or end + 1 == len(codes):
            return False
        i = end + 1


def check_emoji(emoji: Any) -> str:
    """Exactly one emoji (👍, ❤️, 👩🏽‍💻, 🇲🇦), not text, markup or several emoji."""
    if not is_single_emoji(emoji):
        raise InvalidInput(
            "invalid_emoji", "A reaction is a single emoji.", {"emoji": ["Not a single emoji."]}
        )
    assert isinstance(emoji, str)
    return emoji
