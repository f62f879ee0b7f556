"""Settings of profile photos and uploads (imported by config/settings.py).

Photos (directory.photos) go to the storage alias `photos`: files under
var/media/photos/, served by the site (directory.photo_web.photo_file), unless
PHOTO_STORAGE names another backend, such as django-storages'
"storages.backends.s3.S3Storage" for object storage, with its options as JSON in
PHOTO_STORAGE_OPTIONS (bucket_name, endpoint_url, custom_domain, …) and the origin its
addresses start with in PHOTO_ORIGIN (allowed by the Content-Security-Policy's img-src).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

PHOTO_ORIGIN = os.environ.get("PHOTO_ORIGIN", "")

# Paths that take a file, with their own ceiling past DATA_UPLOAD_MAX_MEMORY_SIZE
# (config/body_limit.py): a 5 MB photo and the form around it.
_PHOTO_REQUEST_BYTES = 5 * 1024 * 1024 + 64 * 1024
UPLOAD_MAX_BYTES = {
    "/api/v1/profile/photo/": _PHOTO_REQUEST_BYTES,
    "/profile/photo/": _PHOTO_REQUEST_BYTES,
}


def photo_storage(media_root: Path) -> dict[str, Any]:
    """The `photos` entry of STORAGES."""
    options = os.environ.get("PHOTO_STORAGE_OPTIONS")
    return {
        "BACKEND": os.environ.get("PHOTO_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": (
            json.loads(options)
            if options
            else {"location": media_root / "photos", "base_url": "/media/photos/"}
        ),
    }
