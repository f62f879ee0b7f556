"""Profile photos: an upload checked, re-encoded by Pillow, and stored without what it carried.

What reaches storage is never the uploaded file. Pillow opens it (only as JPEG, PNG or
WebP, whatever the name or the declared type say), the pixel count is checked from the
header before anything is decoded (a small file can unpack to gigabytes), then the image
is turned upright by its EXIF orientation, converted to sRGB when it carries a colour
profile, cropped square and written anew as WebP in a few sizes. The new files hold
pixels only: no EXIF (camera, GPS position), no XMP, no comments, no profile.

Files are named by a random token (`<32 hex>-<size>.webp`), so a photo's address says
nothing about whose it is and a replaced photo's old address stops working; the profile
keeps the token. They live in the storage named `photos` (settings.STORAGES): files under
var/ by default, object storage in production (django-storages), whose addresses the
storage itself gives.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from core.errors import InvalidInput, TooLarge

SIZES = (48, 96, 256)
AVATAR_SIZE = 96  # what lists and messages show (about 40 px, twice that for sharp screens)
MAX_BYTES = 5 * 1024 * 1024
# A JPEG is decoded at 1/2 … 1/8 of its size (`draft`), so a 40-megapixel photo, more than
# most phones take, costs a few megabytes; PNG and WebP decode whole: 16.7 megapixels
# (4096 × 4096, 64 MB with alpha) at most.
MAX_PIXELS = 40_000_000
MAX_PIXELS_WHOLE = 4096 * 4096
# The working copy is brought down to this before anything else is done to it.
WORKING = 1024
QUALITY = 85

# What a file may be, by the names a browser declares and Pillow's format names.
FORMAT_OF_TYPE = {
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
    "image/webp": "WEBP",
}
FORMATS = ("JPEG", "PNG", "WEBP")
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
NAME = re.compile(r"\A(?P<token>[0-9a-f]{32})-(?P<size>\d+)\.webp\Z")
_SRGB = ImageCms.createProfile("sRGB")


def storage() -> Storage:
    return storages["photos"]


def file_name(token: str, size: int) -> str:
    return f"{token}-{size}.webp"


def urls(token: str) -> dict[str, str] | None:
    """The photo's address at each size ("48", "96", "256"), or None without a photo."""
    if not token:
        return None
    where = storage()
    return {str(size): where.url(file_name(token, size)) for size in SIZES}


def avatar_url(user: Any) -> str | None:
    """The small photo shown next to a user's name (None: their initial is shown)."""
    profile = getattr(user, "profile", None)
    token = getattr(profile, "photo", "") if profile is not None else ""
    return storage().url(file_name(token, AVATAR_SIZE)) if token else None


def _refuse(code: str, message: str) -> InvalidInput:
    return InvalidInput(code, message, {"photo": [message]})


def _opened(upload: UploadedFile) -> Image.Image:
    """The upload opened as JPEG, PNG or WebP, matching what it says it is, not too large."""
    if upload.size is None or upload.size > MAX_BYTES:
        raise TooLarge(
            "too_large",
            "A photo may have at most 5 MB.",
            {"photo": ["A photo may have at most 5 MB."]},
            limit=MAX_BYTES // (1024 * 1024),
            unit="MB",
        )
    if not upload.size:
        raise _refuse("empty", "The file is empty.")
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own pixel limit; ours below is lower and an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload, formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except UnidentifiedImageError:
        raise _refuse("not_an_image", "This is not a JPEG, PNG or WebP image.") from None
    except (OSError, SyntaxError, ValueError):
        raise _refuse("not_an_image", "This image cannot be read.") from None
    declared = (upload.content_type or "").split(";")[0].strip().lower()
    expected = FORMAT_OF_TYPE.get(declared)
    if expected != image.format:
        said = FORMAT_NAMES.get(expected or "", declared or "nothing")
        found = FORMAT_NAMES.get(image.format or "", str(image.format))
        image.close()
        raise _refuse(
            "type_mismatch",
            f"The file says it is {said} but it is a {found} image; send it as what it is.",
        )
    limit = MAX_PIXELS if image.format == "JPEG" else MAX_PIXELS_WHOLE
    if image.width * image.height > limit:
        image.close()
        raise _too_many_pixels(limit)
    return image


def _too_many_pixels(limit: int = MAX_PIXELS) -> InvalidInput:
    return _refuse(
        "too_many_pixels", f"This image may have at most {limit // 1_000_000} million pixels."
    )


def _srgb(image: Image.Image) -> Image.Image:
    """Pixels in sRGB (what a browser assumes without a profile), alpha kept."""
    icc = image.info.get("icc_profile")
    alpha = "A" in image.getbands() or "transparency" in image.info
    mode = "RGBA" if alpha else "RGB"
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(
                image.convert(mode), source, _SRGB, outputMode=mode
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    return image.convert(mode)


# EXIF orientation → the transpositions that turn the picture upright.
UPRIGHT = {
    2: (Image.Transpose.FLIP_LEFT_RIGHT,),
    3: (Image.Transpose.ROTATE_180,),
    4: (Image.Transpose.FLIP_TOP_BOTTOM,),
    5: (Image.Transpose.TRANSPOSE,),
    6: (Image.Transpose.ROTATE_270,),
    7: (Image.Transpose.TRANSVERSE,),
    8: (Image.Transpose.ROTATE_90,),
}


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation (1 when absent or unreadable: a broken EXIF block is ignored,
    it is thrown away anyway)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data": answered by ignoring it
            value = image.getexif().get(0x0112, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) else 1


def _decoded(image: Image.Image) -> Image.Image:
    """The pixels, small (at most WORKING px a side), upright and in sRGB."""
    if image.format == "JPEG":
        # Decode at the smallest scale (1/2 … 1/8) that still covers the working size.
        image.draft("RGB", (WORKING, WORKING))
    turns = UPRIGHT.get(_orientation(image), ())
    icc = image.info.get("icc_profile")
    image.load()
    image.thumbnail((WORKING, WORKING), Image.Resampling.LANCZOS, reducing_gap=2.0)
    for turn in turns:
        image = image.transpose(turn)
    if icc:
        image.info["icc_profile"] = icc
    return _srgb(image)


def render(upload: UploadedFile) -> dict[int, bytes]:
    """The upload as clean WebP files by size; InvalidInput/TooLarge says what is wrong."""
    with _opened(upload) as image:
        try:
            pixels = _decoded(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _too_many_pixels() from None
        except Exception:
            raise _refuse("not_an_image", "This image is damaged or incomplete.") from None
    # A fresh image from the pixels alone: nothing of the file's metadata can follow.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    largest = ImageOps.fit(clean, (SIZES[-1], SIZES[-1]), Image.Resampling.LANCZOS)
    files = {}
    for size in SIZES:
        square = (
            largest if size == SIZES[-1] else largest.resize((size, size), Image.Resampling.LANCZOS)
        )
        out = io.BytesIO()
        square.save(out, "WEBP", quality=QUALITY, method=4)
        files[size] = out.getvalue()
    return files


def store(files: dict[int, bytes]) -> str:
    """Write the sizes under a new token; returns the token."""
    token = secrets.token_hex(16)
    where = storage()
    for size, data in files.items():
        where.save(file_name(token, size), ContentFile(data))
    return token


def delete(token: str) -> None:
    """Remove a photo's files (nothing to do without a token)."""
    if not token:
        return
    where = storage()
    for size in SIZES:
        where.delete(file_name(token, size))
