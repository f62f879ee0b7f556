"""The reaction validator accepts one emoji as users type them, and nothing else."""

from __future__ import annotations

import pytest

from community.emoji import is_single_emoji

SINGLE_EMOJI = [
    "👍",
    "❤️",
    "❤",  # without the presentation selector, as some keyboards send it
    "😂",
    "🎉",
    "🇲🇦",  # flag: two regional indicators
    "🇩🇪",
    "👍🏽",  # skin tone
    "👩‍💻",  # ZWJ sequence
    "👨‍👩‍👧‍👦",
    "🏳️‍🌈",
    "❤️‍🔥",
    "🧑🏿‍🦰",  # skin tone and hair component
    "👩🏻‍❤️‍💋‍👨🏾",
    "1️⃣",  # keycap
    "#️⃣",
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿",  # tag sequence (Scotland)
    "☕",
    "©️",
    "🫶",  # Unicode 14
    "🫨",  # Unicode 15: newer than this Python's Unicode database
]

NOT_ONE_EMOJI = [
    "",
    "lol",
    "<script>",
    "a",
    "1",
    "#",
    "ش",
    "👍👍",
    "👍 ",
    " 👍",
    "🇲",  # half a flag
    "🇲🇦🇩🇪",
    "🏽",  # a skin tone alone
    "🦰",  # a hair component alone
    "👍🏽🏽",
    "😀\ufe0e",  # text presentation
    "👍\ufe0f\ufe0f",
    "\u200d",
    "👍\u200d",
    "\u200d👍",
    "👍\u200d\u200d👍",
    "e\u0301",
    "\u202e👍",
    "👍\x00",
    "1\u20e3x",
    "★",  # a symbol, not an emoji
    "\ue000",  # private use
    "😀" * 2,
    "👨‍👩‍👧‍👦‍👨‍👩‍👧‍👦‍👨‍👩‍👧‍👦",  # nine people in one "emoji"
]


@pytest.mark.parametrize("value", SINGLE_EMOJI)
def test_single_emoji_are_accepted(value):
    assert is_single_emoji(value)


@pytest.mark.parametrize("value", NOT_ONE_EMOJI)
def test_anything_else_is_refused(value):
    assert not is_single_emoji(value)


@pytest.mark.parametrize("value", [None, 1, ["👍"], b"\xf0\x9f\x91\x8d"])
def test_non_strings_are_refused(value):
    assert not is_single_emoji(value)
