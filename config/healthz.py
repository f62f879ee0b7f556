"""GET /healthz: really probes the database, the channel layer and the search backend."""

from __future__ import annotations

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from search.backends import search_health


async def _probe_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        return "error"
    channel = await layer.new_channel()
    marker = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.probe", "marker": marker})
    message = await asyncio.wait_for(layer.receive(channel), timeout=2)
    return "ok" if message.get("marker") == marker else "error"


def _probe_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return "ok" if cursor.fetchone() == (1,) else "error"


@require_safe
async def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the channel layer answer, 503 otherwise.

    Search reports `degraded` rather than failing the check: while Meilisearch is
    down, search falls back to the database and nothing is lost.
    """
    report: dict[str, str] = {}
    try:
        report["database"] = await sync_to_async(_probe_database)()
    except Exception:
        report["database"] = "error"
    try:
        report["channel_layer"] = await _probe_layer()
    except Exception:
        report["channel_layer"] = "error"
    report["search"] = await sync_to_async(search_health)()
    healthy = report["database"] == "ok" and report["channel_layer"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
