"""Uploaded images: check by content, refuse decompression bombs, strip metadata.

Used for station photos, event covers and dossier images alike. Nothing here trusts the
file name or the browser's content type.
"""

from dataclasses import dataclass
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_PIXELS = 50_000_000
MAX_BYTES = 10 * 1024 * 1024
# Longest side of each stored rendition, in pixels.
RENDITIONS = {"small": 480, "large": 1600}


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
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image has too many pixels (at most %(limit)s megapixels).")
            % {"limit": MAX_PIXELS // 1_000_000},
            code="too_many_pixels",
        )
    return fmt, width, height


def process_image(upload, renditions: dict[str, int] | None = None) -> ProcessedImage:
    """Validate ``upload`` and re-encode it into metadata-free renditions.

    EXIF orientation is applied, then every tag (GPS included) is dropped by re-encoding
    without ``exif=``. PNGs with transparency stay PNG; everything else becomes JPEG.
    """
    renditions = renditions or RENDITIONS
    fmt, _width, _height = inspect_image(upload)
    # The header passed the pixel check; the limit below still guards the decoder.
    previous_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(upload) as original:
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
    files = {}
    for name, longest in renditions.items():
        copy = image.copy()
        copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        copy.save(buffer, save_format, **options)
        files[name] = ContentFile(buffer.getvalue(), name=f"{name}.{extension}")
    return ProcessedImage(files=files, width=image.width, height=image.height, extension=extension)
