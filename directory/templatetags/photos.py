"""`{% load photos %}`: `{{ user|avatar_src }}`, the small photo next to a user's name
(empty without one: the template shows their initial)."""

from __future__ import annotations

from typing import Any

from django import template

from directory.photos import avatar_url

register = template.Library()


@register.filter
def avatar_src(user: Any) -> str:
    return avatar_url(user) or ""
