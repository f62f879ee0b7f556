"""Every answer — web page, API, error — carries Referrer-Policy and Permissions-Policy."""

from __future__ import annotations

import pytest
from django.test import Client

PATHS = [
    "/",
    "/signin/",
    "/api/v1/networks/",
    "/no-such-page/",
    "/api/v1/no-such-thing/",
    "/healthz",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_privacy_headers(path: str) -> None:
    response = Client().get(path)
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
