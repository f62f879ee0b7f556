"""Profile photos: re-encoded WebP without metadata, refused when lying or too large, served
with the site's type, replaced and removed cleanly, shown wherever a name is."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from directory import photos
from directory.models import Profile
from tests.factories.directory import make_profile


@pytest.fixture
def photo_storage(settings: Any, tmp_path: Any) -> Any:
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/photos/"},
        },
    }
    return tmp_path


def jpeg_with_gps(orientation: int = 1) -> bytes:
    """200 × 100: red on the left, blue on the right, with a camera, a GPS position and an
    EXIF orientation."""
    image = Image.new("RGB", (200, 100), "blue")
    image.paste((255, 0, 0), (0, 0, 100, 100))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SpyCam Inc"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 1.0, 0.0), 3: "W", 4: (6.0, 50.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    data = out.getvalue()
    assert b"SpyCam" in data
    return data


def png_bytes(size: tuple[int, int] = (64, 64), mode: str = "RGBA", **params: Any) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else "green").save(
        out, "PNG", **params
    )
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` × `height` pixels: a decompression bomb's door."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )


def upload(data: bytes, content_type: str = "image/jpeg", name: str = "me.jpg") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def put(client: Any, data: bytes, content_type: str = "image/jpeg", name: str = "me.jpg") -> Any:
    return client.put(
        "/api/v1/profile/photo/", {"photo": upload(data, content_type, name)}, format="multipart"
    )


def stored(token: str, size: int) -> Image.Image:
    return Image.open(io.BytesIO(storages["photos"].open(photos.file_name(token, size)).read()))


def test_a_jpeg_becomes_square_webp_sizes_upright_and_without_metadata(
    db: Any, photo_storage: Any, member: Any, api: Any
) -> None:
    response = put(api(member), jpeg_with_gps(orientation=6))
    assert response.status_code == 200, response.content
    token = Profile.objects.get(user=member).photo
    assert response.json()["photo"] == {
        str(size): f"/media/photos/{token}-{size}.webp" for size in photos.SIZES
    }
    for size in photos.SIZES:
        raw = storages["photos"].open(photos.file_name(token, size)).read()
        assert b"SpyCam" not in raw and b"Exif" not in raw and b"XMP" not in raw
        image = Image.open(io.BytesIO(raw))
        assert image.format == "WEBP" and image.size == (size, size)
        assert not image.getexif() and "icc_profile" not in image.info
    # Orientation 6 means "turn a quarter clockwise": the red left half is now on top.
    large = stored(token, 256).convert("RGB")
    top, bottom = large.getpixel((10, 10)), large.getpixel((10, 245))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_png_keeps_its_transparency_and_loses_its_text(
    db: Any, photo_storage: Any, member: Any, api: Any
) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home address: 12 rue X")
    data = png_bytes(pnginfo=info)
    response = put(api(member), data, "image/png", "me.png")
    assert response.status_code == 200, response.content
    token = Profile.objects.get(user=member).photo
    raw = storages["photos"].open(photos.file_name(token, 96)).read()
    assert b"rue X" not in raw
    assert Image.open(io.BytesIO(raw)).convert("RGBA").getpixel((5, 5))[3] < 200


@pytest.mark.parametrize(
    ("data", "content_type", "code"),
    [
        (b"<html><script>alert(1)</script></html>", "image/jpeg", "not_an_image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="x"/>', "image/png", "not_an_image"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif", "not_an_image"),
        (png_bytes(mode="RGB"), "image/jpeg", "type_mismatch"),
        (png_bytes(mode="RGB"), "text/html", "type_mismatch"),
        (jpeg_with_gps()[:300], "image/jpeg", "not_an_image"),
        (png_claiming(30_000, 30_000), "image/png", "too_many_pixels"),
        (png_claiming(8_000, 6_000), "image/png", "too_many_pixels"),
        (b"", "image/png", "empty"),
    ],
    ids=["html", "svg", "gif", "png-as-jpeg", "png-as-html", "truncated", "bomb", "48mp", "empty"],
)
def test_what_is_not_a_plain_photo_is_refused_and_nothing_is_kept(
    db: Any, photo_storage: Any, member: Any, api: Any, data: bytes, content_type: str, code: str
) -> None:
    make_profile(member)
    response = put(api(member), data, content_type)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["fields"]["photo"]
    assert Profile.objects.get(user=member).photo == ""
    assert list(photo_storage.iterdir()) == []


def test_a_broken_exif_block_never_makes_a_500(
    db: Any, photo_storage: Any, member: Any, api: Any
) -> None:
    good = jpeg_with_gps(orientation=6)
    start = good.index(b"Exif\x00\x00") + 6
    seen = set()
    for offset in range(0, 120, 3):
        broken = bytearray(good)
        broken[start + offset : start + offset + 2] = b"\xff\xff"
        response = put(api(member), bytes(broken))
        assert response.status_code in (200, 400), (offset, response.content)
        seen.add(response.status_code)
    assert 200 in seen  # the pixels were fine: the photo is taken, its EXIF thrown away


def test_a_large_png_is_refused_before_it_is_decoded(
    db: Any, photo_storage: Any, member: Any, api: Any
) -> None:
    response = put(api(member), png_claiming(6000, 6600), "image/png")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_many_pixels"


def test_more_than_5_mb_is_refused_with_the_limit(
    db: Any, photo_storage: Any, member: Any, api: Any
) -> None:
    data = jpeg_with_gps() + b"\x00" * (photos.MAX_BYTES + 1)
    response = put(api(member), data)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_the_larger_body_ceiling_is_the_photo_path_s_alone(
    db: Any, member: Any, api: Any, settings: Any
) -> None:
    body = b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    client = api(member)
    refused = client.generic("PATCH", "/api/v1/profile/", body, "application/json")
    assert refused.status_code == 413
    huge = upload(b"x" * (settings.UPLOAD_MAX_BYTES["/api/v1/profile/photo/"] + 1))
    response = client.put("/api/v1/profile/photo/", {"photo": huge}, format="multipart")
    assert response.status_code == 413


def test_a_new_photo_replaces_the_old_files_and_removing_goes_back_to_initials(
    db: Any,
    photo_storage: Any,
    member: Any,
    api: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = api(member)
    with django_capture_on_commit_callbacks(execute=True):
        assert put(client, jpeg_with_gps()).status_code == 200
    first = Profile.objects.get(user=member).photo
    with django_capture_on_commit_callbacks(execute=True):
        assert put(client, png_bytes(), "image/png").status_code == 200
    second = Profile.objects.get(user=member).photo
    assert second != first
    names = sorted(p.name for p in photo_storage.iterdir())
    assert names == sorted(photos.file_name(second, s) for s in photos.SIZES)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete("/api/v1/profile/photo/").status_code == 204
    assert list(photo_storage.iterdir()) == []
    assert client.get("/api/v1/profile/").json()["photo"] is None


def test_files_are_served_as_webp_by_the_site_whatever_was_uploaded(
    db: Any, photo_storage: Any, member: Any, api: Any, client: Any
) -> None:
    put(api(member), png_bytes(), "image/png")
    token = Profile.objects.get(user=member).photo
    response = client.get(f"/media/photos/{token}-96.webp")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response["Cache-Control"]
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).format == "WEBP"
    for name in (f"{token}-97.webp", f"{'0' * 32}-96.webp", "..%2Fsecret_key", f"{token}-96.png"):
        assert client.get(f"/media/photos/{name}").status_code == 404


def test_the_photo_shows_wherever_the_name_does(
    db: Any,
    photo_storage: Any,
    public_network: Any,
    member: Any,
    moderator: Any,
    api: Any,
) -> None:
    put(api(member), jpeg_with_gps())
    token = Profile.objects.get(user=member).photo
    small = f"/media/photos/{token}-96.webp"
    seen = api(moderator).get("/api/v1/profiles/member/").json()
    assert seen["photo"]["256"] == f"/media/photos/{token}-256.webp"
    from chat.events import user_summary
    from community.serializers import UserSummarySerializer

    member.refresh_from_db()
    assert user_summary(member)["avatar"] == small
    assert UserSummarySerializer(member).data["avatar"] == small
    assert user_summary(moderator)["avatar"] is None


def test_another_storage_backend_is_a_setting(
    db: Any, settings: Any, member: Any, api: Any
) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "photos": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": "https://photos.example.org/p/"},
        },
    }
    response = put(api(member), jpeg_with_gps())
    assert response.status_code == 200
    token = Profile.objects.get(user=member).photo
    assert response.json()["photo"]["48"] == f"https://photos.example.org/p/{token}-48.webp"
    assert storages["photos"].exists(photos.file_name(token, 48))


def test_the_profile_editor_uploads_and_says_what_is_wrong_in_the_page_language(
    db: Any, photo_storage: Any, member: Any, client: Any
) -> None:
    client.force_login(member)
    response = client.post(
        "/profile/photo/", {"photo": upload(png_bytes(mode="RGB"), "image/jpeg")}, follow=True
    )
    assert response.status_code == 200
    assert not Profile.objects.filter(user=member).exclude(photo="").exists()
    assert "not the kind of image its name or type says" in response.content.decode()
    response = client.post("/profile/photo/", {"photo": upload(jpeg_with_gps())}, follow=True)
    token = Profile.objects.get(user=member).photo
    assert token
    page = response.content.decode()
    assert "Your photo is saved." in page
    assert f'<img src="/media/photos/{token}-96.webp"' in page  # the header's and the editor's
    response = client.post("/profile/photo/remove/", follow=True)
    assert Profile.objects.get(user=member).photo == ""
    assert "/media/photos/" not in response.content.decode()
