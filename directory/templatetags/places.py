"""`{% load places %}`: `{{ code|country_label }}` and `{{ code|language_label }}` in the
page's language (directory/display_names.py; not `language_name`, which i18n has)."""

from __future__ import annotations

from django import template

from directory import display_names

register = template.Library()


@register.filter
def country_label(code: str) -> str:
    return display_names.country_name(code)


@register.filter
def language_label(code: str) -> str:
    return display_names.language_name(code)
