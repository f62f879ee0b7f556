"""Reading a client frame (realtime.frames): the size limit says what it is."""

from __future__ import annotations

import pytest

from realtime.frames import FrameError, parse


@pytest.mark.parametrize(
    ("limit", "said"), [(16 * 1024, "16 KiB"), (64 * 1024, "64 KiB"), (1000, "1,000 bytes")]
)
def test_an_oversized_frame_is_told_the_configured_limit(limit: int, said: str) -> None:
    with pytest.raises(FrameError) as refused:
        parse('{"type": "ping", "pad": "' + "x" * limit + '"}', limit)
    assert (refused.value.code, refused.value.message) == (
        "frame_too_large",
        f"Frames are limited to {said}.",
    )
