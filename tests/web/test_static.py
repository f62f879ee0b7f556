"""With DEBUG off the site serves its own collected CSS and JS (WhiteNoise): hashed names
cached for a year, compressed copies, and the pages link to exactly those files."""

from __future__ import annotations

import gzip
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.web.live import LiveServer, live_server


@pytest.fixture(scope="module")
def production() -> Iterator[LiveServer]:
    with live_server(debug=False) as running:
        yield running


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback only
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_pages_link_hashed_assets_that_are_served_and_cached_for_a_year(
    production: LiveServer,
) -> None:
    status, _, body = fetch(production.url + "/signin/")
    assert status == 200
    linked = assets(body.decode())
    assert any(path.endswith(".css") for path in linked), linked
    assert any(path.endswith(".js") for path in linked), linked
    for path in linked:
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg|png|ico)$", path), path
        status, headers, content = fetch(production.url + path)
        assert status == 200, path
        assert content
        assert "max-age=315360000" in headers["Cache-Control"], (path, headers)
        kind = {"css": "text/css", "js": "javascript", "svg": "image/svg+xml"}
        assert kind[path.rsplit(".", 1)[1]] in headers["Content-Type"], (path, headers)


def test_assets_come_compressed_to_a_client_that_accepts_it(production: LiveServer) -> None:
    _, _, body = fetch(production.url + "/signin/")
    css = next(path for path in assets(body.decode()) if path.endswith(".css"))
    _, _, plain = fetch(production.url + css)
    status, headers, packed = fetch(production.url + css, **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(packed) == plain
    assert len(packed) < len(plain)


def test_an_unknown_static_file_is_a_404_not_a_page(production: LiveServer) -> None:
    status, _, _ = fetch(production.url + "/static/css/nothing-here.css")
    assert status == 404


def test_favicon_ico_is_the_site_icon_for_pages_that_name_none(client: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
    assert "favicon.svg" in client.get("/signin/").content.decode()  # pages name it
