"""`{% load people %}`: `{{ user|name_of }}`, the name shown for a user ("Deleted member"
for a deleted account, in the page's language), and `{{ user|avatar_src }}`, the small
photo next to it (empty without one: the template shows their initial)."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.actions import display_name
from directory.photos import avatar_url

register = template.Library()


@register.filter
def name_of(user: Any) -> str:
    return display_name(user)


@register.filter
def avatar_src(user: Any) -> str:
    return avatar_url(user) or ""
