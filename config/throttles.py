"""DRF's throttles, keyed by the client address as core.client_address reads it.

DRF's own `get_ident` takes `X-Forwarded-For` as it comes (with NUM_PROXIES unset),
so a client that writes a new one on each request is a new client each time.
"""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from core.client_address import request_client_address


class ClientAddressMixin:
    def get_ident(self, request: Any) -> str:
        return request_client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
