"""ASGI entry point: HTTP through Django, one multiplexed websocket at /ws/."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

# /static/ is served by WhiteNoise's middleware (config/settings.py), DEBUG or not.

# Imported after Django is set up: these pull in models.
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.body_limit import BodySizeLimit, limit_daphne_request_bodies  # noqa: E402
from realtime.auth import WebsocketAuthMiddleware  # noqa: E402
from realtime.origin import SiteOriginValidator  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

# A body past DATA_UPLOAD_MAX_MEMORY_SIZE is refused as it arrives, chunked or not:
# in daphne's request (before it would buffer the whole body) and again here.
limit_daphne_request_bodies()

from core import jobs  # noqa: E402

# The embedded default's background jobs and schedules run in this process's thread.
jobs.start()

application = ProtocolTypeRouter(
    {
        "http": BodySizeLimit(django_asgi_app),
        # Only the site's own origins, by scheme, host and port (realtime/origin.py).
        "websocket": SiteOriginValidator(WebsocketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
