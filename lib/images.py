"""Photos people upload (bin-side records, activities): re-encoded from pixels only, so nothing of the
original's metadata (EXIF: location, phone) is kept, turned upright and downscaled. The checks themselves
(content sniffing, pixel cap, size cap) live in the one upload gate, `lib.uploads`."""

from __future__ import annotations

from typing import Any

from lib.uploads import IMAGE_ONLY, PHOTO_SIDE, clean_upload

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = PHOTO_SIDE


def clean_jpeg(data: Any, *, max_side: int = MAX_SIDE) -> bytes:
    """JPEG bytes of a photo (bytes or UploadedFile), at most `max_side` px a side.

    Raises ValidationError (zh/en) for anything but a readable JPEG/PNG/WebP within the caps."""
    return clean_upload(data, accept=IMAGE_ONLY, max_bytes=MAX_BYTES, max_side=max_side, jpeg_only=True).data
