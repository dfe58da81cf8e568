"""Dossier documents: PDF, JPEG or PNG, checked by content, capped in size."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from portal.lib import images, pdfs

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Longest side of a stored dossier image: readable scans, no full-resolution camera files.
IMAGE_RENDITION = {"document": 2400}

NOT_ALLOWED = _("Only PDF, JPEG or PNG files can be added to a dossier.")
ACTIVE_PDF = _(
    "This PDF contains scripts, automatic actions or embedded files, which a dossier may "
    "not hold. Print it to a new PDF (or scan it) and add that file."
)


@dataclass(frozen=True)
class CheckedDocument:
    content: ContentFile
    content_kind: str


def _head(upload, size: int) -> bytes:
    upload.seek(0)
    data = upload.read(size)
    upload.seek(0)
    return data


def check_document(upload) -> CheckedDocument:
    """Return the file to store for ``upload`` or raise ValidationError.

    The type comes from the content, never from the name or the browser. Images are
    re-encoded without metadata (EXIF, GPS, comments) by portal.lib.images; PDFs are kept
    as sent, unless they hold active content (scripts, actions, embedded files), which is
    refused (portal.lib.pdfs).
    """
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)s MB.")
            % {"limit": MAX_DOCUMENT_BYTES // (1024 * 1024)},
            code="too_large",
        )
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    head = _head(upload, 8)
    if head.startswith(b"%PDF-"):
        upload.seek(0)
        data = upload.read(MAX_DOCUMENT_BYTES + 1)
        upload.seek(0)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValidationError(_("The file is too large."), code="too_large")
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("This PDF file is incomplete or damaged."), code="broken_pdf")
        try:
            active = pdfs.active_content(data)
        except pdfs.UnreadablePdf:
            raise ValidationError(
                _("This PDF file is incomplete or damaged."), code="broken_pdf"
            ) from None
        if active:
            raise ValidationError(ACTIVE_PDF, code="active_pdf")
        return CheckedDocument(ContentFile(data, name="document.pdf"), "pdf")
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        fmt, _width, _height = images.inspect_image(upload)
        if fmt not in {"JPEG", "PNG"}:
            raise ValidationError(NOT_ALLOWED, code="not_allowed")
        processed = images.process_image(upload, IMAGE_RENDITION)
        content = processed.files["document"]
        kind = "png" if processed.extension == "png" else "jpeg"
        return CheckedDocument(content, kind)
    raise ValidationError(NOT_ALLOWED, code="not_allowed")
