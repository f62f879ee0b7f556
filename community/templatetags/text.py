"""`{% load text %}`: `{{ value|excerpt:140 }}` cuts user text at a word boundary.

Django's `truncatechars` cuts mid-word ("في أل…"); an excerpt ends at the last space
within the limit (or mid-word only when a single word is longer than the limit), without
trailing punctuation, followed by an ellipsis.
"""

from __future__ import annotations

from django import template

register = template.Library()

TRAILING = " \t\n,;:.-–—،؛"


@register.filter
def excerpt(value: object, limit: int = 140) -> str:
    text = " ".join(str(value or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(TRAILING) + "…"
