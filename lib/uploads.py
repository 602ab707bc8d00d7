"""The one gate for files people upload, and the one way they are served back.

Every upload (evidence, ticket photos, record and activity photos) goes through `clean_upload`: the content is
sniffed (never the declared content type or file name), images are decoded under a pixel cap and re-encoded
from pixels only (no metadata, nothing appended survives), PDFs must open in pypdf, everything else (SVG,
HTML, scripts, archives) is refused. Stored files are served by `file_response` only: as attachments with a
content type taken from the stored bytes, `nosniff` and a sandboxing CSP.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.text import get_valid_filename
from PIL import Image, ImageOps, UnidentifiedImageError

from lib.bilingual import Msg

MAX_BYTES = 10 * 1024 * 1024  # evidence and photos; phones send 2–6 MB
# 40 MP covers every phone's default photo; decoding one as RGBA takes ~160 MB, which a worker can afford.
# Above it we refuse from the header alone, before a single pixel is decoded.
MAX_PIXELS = 40_000_000
# Pillow keeps one allocation per row: a 150 KB PNG of 1 × 39,000,000 px, under MAX_PIXELS, took a worker to
# 1 GB and 6 s. No photo or scan has a side longer than this (a phone's panorama is about 16,000 px).
MAX_SIDE = 20_000
EVIDENCE_SIDE = 2400  # long side of re-encoded evidence images, readable for a photographed document
PHOTO_SIDE = 1600

# Pillow only warns between MAX_IMAGE_PIXELS and twice that; make it refuse, for any caller in the process
# (reportlab, admin) and not only this module, which also checks the size itself before decoding.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

IMAGE = "image"
PDF = "pdf"
IMAGE_OR_PDF = frozenset({IMAGE, PDF})
IMAGE_ONLY = frozenset({IMAGE})

# What the sniffer may say about an accepted upload, and what we do with it.
_SNIFFED = {"image/jpeg": IMAGE, "image/png": IMAGE, "image/webp": IMAGE, "application/pdf": PDF}
_PILLOW_FORMATS = ("JPEG", "PNG", "WEBP")  # never let Pillow guess among its other parsers (EPS, …)

# Content types we ever serve a stored file as; anything else is served as opaque bytes.
SERVED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
# Only re-encoded pixels may be shown inline (for <img> tags): with nosniff a browser renders image/jpeg or
# image/png as an image and nothing else, so no script can run on our origin from them.
INLINE_TYPES = frozenset({"image/jpeg", "image/png"})
# Applies when a stored file is opened as a page: no script, no plugin, no same-origin access. The image
# and style sources let the browser's own viewer page show a photo opened in a tab.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"

_UNREADABLE_IMAGE = Msg("这不是可识别的图片。", "This is not an image we can read.")
_TOO_MANY_PIXELS = Msg(
    "图片像素太多（最多 4000 万像素，每边最多 20000 像素），请缩小后再上传。",
    "The image has too many pixels (40 megapixels, 20,000 a side at most); make it smaller and upload again.",
)


@dataclass(frozen=True)
class CleanFile:
    """An upload that passed the gate: `data` is what to store (re-encoded for images), `content_type` and
    `extension` come from the content, never from the client."""

    data: bytes
    content_type: str
    extension: str

    def filename(self, name: str | None, *, default: str = "file") -> str:
        """The upload's name stem made safe, with the extension of what the file really is."""
        stem = get_valid_filename(PurePath(name).stem)[:60] if name else ""
        return f"{stem or default}.{self.extension}"

    def save_to(self, field: FieldFile, name: str | None, *, default: str = "file", prefix: str = "") -> None:
        """Store the data in `field` (not saving the model), named after the upload (see `filename`)."""
        field.save(
            f"{prefix}{self.filename(name, default=default)}"[-100:], ContentFile(self.data), save=False
        )


def _refuse(msg: Msg) -> ValidationError:
    return ValidationError(str(msg), code="bad_upload")


def read_capped(upload: Any, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an UploadedFile (or bytes), refused before reading when larger than `max_bytes`.

    Raises ValidationError (zh/en by the active language) when too large."""
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if (upload.size or 0) > max_bytes:
            raise _too_large(max_bytes)
        upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _too_large(max_bytes: int) -> ValidationError:
    mb = max_bytes // (1024 * 1024)
    return _refuse(
        Msg("文件太大（最大 {mb} MB）。", "The file is too large ({mb} MB at most).").format(mb=mb)
    )


def clean_upload(
    upload: Any,
    *,
    accept: frozenset[str] = IMAGE_OR_PDF,
    max_bytes: int = MAX_BYTES,
    max_side: int = EVIDENCE_SIDE,
    jpeg_only: bool = False,
) -> CleanFile:
    """Check an upload (UploadedFile or bytes) by its content and return what may be stored.

    Images (JPEG, PNG, WebP) come back re-encoded: PNG as PNG, others (or all, with `jpeg_only`) as JPEG,
    upright, at most `max_side` px a side, without metadata. PDFs come back as sent once pypdf opens them.
    Raises ValidationError with a zh/en message for anything else, an empty or oversized file, an image over
    MAX_PIXELS or a truncated/corrupt file."""
    data = read_capped(upload, max_bytes=max_bytes)
    if not data:
        raise _refuse(Msg("文件是空的。", "The file is empty."))
    kind = _SNIFFED.get(filetype.guess_mime(data[:8192]) or "")
    if kind is None or kind not in accept:
        if accept == IMAGE_ONLY:
            raise _refuse(
                Msg("只接受照片（JPEG、PNG、WebP）。", "Only photos are accepted (JPEG, PNG, WebP).")
            )
        raise _refuse(
            Msg(
                "证明材料只接受照片（JPEG、PNG、WebP）或 PDF。",
                "Evidence must be a photo (JPEG, PNG, WebP) or a PDF.",
            )
        )
    if kind == PDF:
        return _pdf(data)
    return _image(data, max_side=max_side, jpeg_only=jpeg_only)


def _image(data: bytes, *, max_side: int, jpeg_only: bool) -> CleanFile:
    try:
        # Opening reads the header only; the size check comes before verify() or any decoding.
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as probe:
            if probe.width * probe.height > MAX_PIXELS or max(probe.size) > MAX_SIDE:
                raise _refuse(_TOO_MANY_PIXELS)
            probe.verify()
        with Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS) as img:
            as_png = img.format == "PNG" and not jpeg_only
            img.draft("RGB", (max_side, max_side))  # JPEG: decode at a reduced scale when it can
            # Shrink first, then turn upright: a full-size upright copy of a 36 MP PNG cost another 100 MB.
            img.thumbnail((max_side, max_side))
            upright = ImageOps.exif_transpose(img)
            if as_png:
                pixels = upright.convert("RGBA" if "A" in upright.getbands() else "RGB")
            else:
                pixels = upright.convert("RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_TOO_MANY_PIXELS) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        # Pillow reports corrupt and truncated data through these.
        raise _refuse(_UNREADABLE_IMAGE) from None
    out = io.BytesIO()
    # No exif=/pnginfo= argument: nothing of the original's metadata (location, phone) is carried over.
    if as_png:
        pixels.save(out, "PNG", optimize=True)
        return CleanFile(out.getvalue(), "image/png", "png")
    pixels.save(out, "JPEG", quality=82, optimize=True)
    return CleanFile(out.getvalue(), "image/jpeg", "jpg")


def _pdf(data: bytes) -> CleanFile:
    from pypdf import PdfReader

    unreadable = _refuse(Msg("这不是可打开的 PDF 文件。", "This is not a PDF we can open."))
    # A file cut short in transit loses its trailer; pypdf would otherwise try to rebuild it.
    if b"%%EOF" not in data[-2048:]:
        raise unreadable
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise unreadable
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 — pypdf raises many types on hostile input; all mean "not a PDF"
        raise unreadable from None
    return CleanFile(data, "application/pdf", "pdf")


def file_response(field: FieldFile, *, inline_image: bool = False) -> FileResponse:
    """Serve a stored user file: the content type comes from the stored bytes (one of SERVED_TYPES, else
    application/octet-stream), always as an attachment except a JPEG/PNG asked for `inline_image` (for
    <img> tags), with `X-Content-Type-Options: nosniff` and a sandboxing CSP. Files stored before the upload
    gate existed are covered too: whatever they contain, they are served as opaque bytes."""
    handle: IO[bytes] = field.open("rb")
    head = handle.read(8192)
    handle.seek(0)
    sniffed = filetype.guess_mime(head) or ""
    content_type = sniffed if sniffed in SERVED_TYPES else "application/octet-stream"
    extension = SERVED_TYPES.get(content_type, "bin")
    stem = get_valid_filename(PurePath(field.name or "").stem)[:80] or "file"
    response = FileResponse(
        handle,
        as_attachment=not (inline_image and content_type in INLINE_TYPES),
        filename=f"{stem}.{extension}",
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    return response
