"""The poisons of the hostile text tests (REST: test_poisoned_text.py; websocket frames:
test_poisoned_frames.py) and the before/after snapshot of every row they compare."""

from __future__ import annotations

import re
from typing import Any

from tests.hostile.test_authorization_sweep import snapshot

POISONS = {"NUL": "\x00", "lone surrogate": "\ud800", "low surrogate": "\udfff"}
BIDI = "\u202eevil\u2066x\u2069\u200b"
# What a server may strip from accepted text (helper `identity` decides for names):
# the bidi embeddings, overrides and isolates, and the zero-width characters.
STRIPPABLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff]")


def every_row() -> dict[str, list[dict[str, Any]]]:
    from django.apps import apps

    rows = snapshot()
    for label in ("auth", "accounts"):
        for model in apps.get_app_config(label).get_models():
            rows[model._meta.label] = list(model.objects.order_by("pk").values())
    return rows


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [label for label in before if before[label] != after.get(label)]
