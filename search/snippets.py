"""Short excerpts of long text around the first word that matched."""

from __future__ import annotations

from search.normalize import normalize

SNIPPET_CHARS = 160


def excerpt(text: str, words: list[str], size: int = SNIPPET_CHARS) -> str:
    """About `size` characters of `text`, starting a little before the first matching word."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    start = 0
    position = 0
    for raw in text.split(" "):
        folded = normalize(raw)
        if folded and any(folded.startswith(w) or w.startswith(folded) for w in words):
            start = max(0, position - size // 4)
            break
        position += len(raw) + 1
    cut = text[start : start + size]
    return ("…" if start else "") + cut + ("…" if start + size < len(text) else "")
