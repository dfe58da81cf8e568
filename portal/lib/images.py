"""Uploaded images: check by content, refuse decompression bombs, strip metadata.

Used for station photos, event covers and dossier images alike. Nothing here trusts the
file name or the browser's content type.

Decoding is bounded before it starts: the header's size is checked first; JPEGs (phone
photos, up to MAX_PIXELS) are decoded by libjpeg at 1/2, 1/4 or 1/8 scale (``draft``)
just large enough for the biggest rendition; PNG and WebP cannot be decoded at a reduced
scale, so they have the lower MAX_FULL_DECODE_PIXELS bound. Stored renditions carry no
metadata at all: no EXIF, ICC, XMP, comment (COM) or other APPn segment in a JPEG, no
text, time or other ancillary chunk in a PNG.
"""

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
# Largest JPEG accepted (48-megapixel phone cameras), decoded at a reduced scale.
MAX_PIXELS = 50_000_000
# Largest PNG or WebP accepted: these are decoded in full (4 bytes a pixel, then copies).
MAX_FULL_DECODE_PIXELS = 16_000_000
MAX_BYTES = 10 * 1024 * 1024
# Longest side of each stored rendition, in pixels.
RENDITIONS = {"small": 480, "large": 1600}
# The EXIF tag that says how the camera was held.
ORIENTATION = 0x0112


@dataclass(frozen=True)
class ProcessedImage:
    """Re-encoded renditions of one upload, keyed by RENDITIONS' names."""

    files: dict[str, ContentFile]
    width: int
    height: int
    extension: str


def inspect_image(upload) -> tuple[str, int, int]:
    """Return (format, width, height) read from the header, or raise ValidationError.

    Only the header is read, so a tiny file that decodes to a huge bitmap is refused
    before any memory is spent on it.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            fmt, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("This file is not a JPEG, PNG or WebP image."), code="not_image"
        ) from None
    finally:
        upload.seek(0)
    if fmt not in ALLOWED_FORMATS:
        raise ValidationError(_("This file is not a JPEG, PNG or WebP image."), code="not_image")
    limit = MAX_PIXELS if fmt == "JPEG" else MAX_FULL_DECODE_PIXELS
    if width * height > limit:
        raise ValidationError(
            _("The image has too many pixels (at most %(limit)s megapixels).")
            % {"limit": limit // 1_000_000},
            code="too_many_pixels",
        )
    return fmt, width, height


def strip_jpeg_segments(data: bytes) -> bytes:
    """Return the JPEG ``data`` without any APPn (JFIF, EXIF, ICC, XMP…) or COM segment.

    Only the segments before the scan are walked; the entropy-coded data is copied as it is.
    """
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("not a JPEG stream")
    out, pos = bytearray(b"\xff\xd8"), 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("broken JPEG segment")
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:
            # Start of scan: everything from here on is image data.
            out += data[pos:]
            return bytes(out)
        if not (0xE0 <= marker <= 0xEF or marker == 0xFE):
            out += data[pos : pos + 2 + length]
        pos += 2 + length
    raise ValueError("JPEG without image data")


def process_image(upload, renditions: dict[str, int] | None = None) -> ProcessedImage:
    """Validate ``upload`` and re-encode it into metadata-free renditions.

    EXIF orientation is applied, then every tag (GPS included) is dropped by re-encoding
    without ``exif=``. PNGs with transparency stay PNG; everything else becomes JPEG.
    """
    renditions = renditions or RENDITIONS
    fmt, width, height = inspect_image(upload)
    longest = max(renditions.values())
    # The header passed the pixel check; the limit below still guards the decoder.
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS if fmt == "JPEG" else MAX_FULL_DECODE_PIXELS
    try:
        with Image.open(upload) as original:
            if fmt == "JPEG":
                # Decode at the smallest 1/2^n scale whose longer side still covers the
                # biggest rendition (libjpeg scales while decoding: 1/4 of a 48 Mpx photo).
                ratio = longest / max(width, height)
                original.draft("RGB", (max(1, int(width * ratio)), max(1, int(height * ratio))))
            # Orientations 5-8 turn the picture a quarter: the stored size is swapped.
            if original.getexif().get(ORIENTATION, 1) in {5, 6, 7, 8}:
                width, height = height, width
            image = ImageOps.exif_transpose(original)
            image.load()
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("This image could not be read."), code="broken_image") from None
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit
        upload.seek(0)
    keep_alpha = fmt == "PNG" and image.mode in ("RGBA", "LA", "P")
    if keep_alpha:
        image = image.convert("RGBA")
        extension, save_format, options = "png", "PNG", {"optimize": True}
    else:
        image = image.convert("RGB")
        extension, save_format, options = "jpg", "JPEG", {"quality": 82, "optimize": True}
    # Pillow writes what ``info`` holds (a JPEG comment, an ICC profile, the DPI): nothing.
    image.info = {}
    files = {}
    for name, side in renditions.items():
        copy = image.copy()
        copy.info = {}
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        copy.save(buffer, save_format, **options)
        data = buffer.getvalue()
        if save_format == "JPEG":
            data = strip_jpeg_segments(data)
        files[name] = ContentFile(data, name=f"{name}.{extension}")
    return ProcessedImage(files=files, width=width, height=height, extension=extension)
