"""Photos people upload (bin-side records, activities): re-encoded from pixels only, so nothing of the
original's metadata (EXIF: location, phone) is kept, turned upright and downscaled."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.bilingual import Msg

MAX_BYTES = 15 * 1024 * 1024
MAX_SIDE = 1600


def clean_jpeg(data: bytes, *, max_side: int = MAX_SIDE) -> bytes:
    if len(data) > MAX_BYTES:
        raise ValidationError(str(Msg("照片太大（最大 15 MB）。", "The photo is too large (15 MB at most).")))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            upright = ImageOps.exif_transpose(img).convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(str(Msg("这不是可识别的图片。", "This is not an image we can read."))) from None
    upright.thumbnail((max_side, max_side))
    out = io.BytesIO()
    upright.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: no metadata carried over
    return out.getvalue()
