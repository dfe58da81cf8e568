"""Dossier uploads: no active PDF content, no metadata segments, no partial file on a full disk."""

import errno
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from members import services
from members.models import DossierEntry
from portal.lib import storage as storage_module

from .conftest import pdf_upload, png_upload

pytestmark = pytest.mark.django_db

ACTIVE = [
    b"1 0 obj<< /Type /Catalog /OpenAction 2 0 R >>endobj\n"
    b"2 0 obj<< /S /JavaScript /JS (app.alert(1)) >>endobj\n",
    b"1 0 obj<< /Type /Catalog /Names << /J#61vaScript 2 0 R >> >>endobj\n",
    b"1 0 obj<< /Type /Action /S /Launch /F (cmd.exe) >>endobj\n",
    b"1 0 obj<< /Type /Filespec /EF << /F 2 0 R >> /Type /EmbeddedFile >>endobj\n",
]


def pdf(body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("form.pdf", b"%PDF-1.7\n" + body + b"trailer<<>>\n%%EOF\n")


def object_stream_pdf(inner: bytes) -> SimpleUploadedFile:
    packed = zlib.compress(inner)
    body = (
        b"5 0 obj<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>stream\n"
        + packed
        + b"\nendstream\nendobj\n"
    )
    return pdf(body)


@pytest.mark.parametrize("body", ACTIVE)
def test_pdf_with_active_content_is_refused_with_a_clear_message(person_a, body):
    with pytest.raises(ValidationError) as refused:
        services.dossier_document_add(person=person_a, user=None, upload=pdf(body))
    assert refused.value.code == "active_pdf"
    assert not person_a.dossier.filter(kind="document").exists()


def test_javascript_hidden_in_a_compressed_object_stream_is_found(person_a):
    upload = object_stream_pdf(b"1 0 << /S /JavaScript /JS (x) >>")
    with pytest.raises(ValidationError):
        services.dossier_document_add(person=person_a, user=None, upload=upload)


def test_plain_pdf_with_image_data_that_looks_like_a_name_is_kept(person_a):
    image_bytes = b"\xff\xd8 random /JS /Launch bytes \xff\xd9"
    body = (
        b"1 0 obj<< /Type /XObject /Subtype /Image /Filter /DCTDecode /Length "
        + str(len(image_bytes)).encode()
        + b" >>stream\n"
        + image_bytes
        + b"\nendstream\nendobj\n"
    )
    entry = services.dossier_document_add(person=person_a, user=None, upload=pdf(body))
    assert entry.content_kind == "pdf"


def test_admin_shows_the_active_pdf_message(client, officer_a, person_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:members_dossierentry_add"),
        {"person": person_a.pk, "kind": "document", "text": "", "upload": pdf(ACTIVE[0])},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["upload"]
    assert "PDF" in errors[0] and "脚本" in errors[0]


def jpeg_segments(data: bytes) -> list[int]:
    """Markers of the segments before the scan (APPn = 0xE0-0xEF, COM = 0xFE)."""
    markers, pos = [], 2
    while data[pos + 1] != 0xDA:
        markers.append(data[pos + 1])
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def test_jpeg_comment_and_app_segments_do_not_survive(person_a):
    buffer = BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(
        buffer,
        "JPEG",
        comment=b"<html><script>alert(1)</script></html>",
        exif=exif,
        icc_profile=b"\0" * 200,
    )
    original = buffer.getvalue()
    assert 0xFE in jpeg_segments(original)
    upload = SimpleUploadedFile("scan.jpg", original, "image/jpeg")
    entry = services.dossier_document_add(person=person_a, user=None, upload=upload)
    stored = Path(entry.document.path).read_bytes()
    markers = jpeg_segments(stored)
    assert not [m for m in markers if 0xE0 <= m <= 0xEF or m == 0xFE], [hex(m) for m in markers]
    assert b"script" not in stored
    with Image.open(BytesIO(stored)) as image:
        image.load()
        assert image.size == (64, 48)
        assert "comment" not in image.info


def png_chunks(data: bytes) -> list[bytes]:
    chunks, pos = [], 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        chunks.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return chunks


def test_png_text_chunks_do_not_survive(person_a):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    info.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta/>")
    buffer = BytesIO()
    Image.new("RGBA", (30, 20), (1, 2, 3, 100)).save(buffer, "PNG", pnginfo=info, dpi=(300, 300))
    upload = SimpleUploadedFile("scan.png", buffer.getvalue(), "image/png")
    entry = services.dossier_document_add(person=person_a, user=None, upload=upload)
    stored = Path(entry.document.path).read_bytes()
    assert set(png_chunks(stored)) <= {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}
    assert b"script" not in stored


def test_49_megapixel_png_is_refused_from_its_header(person_a):
    buffer = BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png")
    with pytest.raises(ValidationError) as refused:
        services.dossier_document_add(person=person_a, user=None, upload=upload)
    assert refused.value.code == "too_many_pixels"


class FullDisk:
    """A file object whose second write fails as a full disk does."""

    def __init__(self, real):
        self.real, self.writes = real, 0

    def write(self, chunk):
        self.writes += 1
        if self.writes > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return self.real.write(chunk)

    def close(self):
        self.real.close()


@pytest.fixture
def full_disk(monkeypatch):
    real_fdopen = storage_module.os.fdopen

    def fdopen(fd, mode="r", *args, **kwargs):
        return FullDisk(real_fdopen(fd, mode, *args, **kwargs))

    # Django's storage opens its file with os.fdopen; every write after the first fails.
    monkeypatch.setattr("django.core.files.storage.filesystem.os.fdopen", fdopen)


def big_upload():
    # Several chunks (64 KiB each) so the first lands on disk before the disk is "full".
    body = b"%PDF-1.4\n" + b"0" * 300_000 + b"\n%%EOF\n"
    return SimpleUploadedFile("big.pdf", body, "application/pdf")


def test_full_disk_leaves_no_partial_file_and_no_row(settings, person_a, full_disk):
    with pytest.raises(ValidationError) as refused:
        services.dossier_document_add(person=person_a, user=None, upload=big_upload())
    assert refused.value.code == "not_stored"
    assert not person_a.dossier.filter(kind="document").exists()
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not [p for p in private.rglob("*") if p.is_file()]


def test_full_disk_in_the_admin_gives_a_clear_error(
    client, settings, officer_a, person_a, full_disk
):
    client.force_login(officer_a)
    url = reverse("admin:members_dossierentry_add")
    response = client.post(
        url,
        {"person": person_a.pk, "kind": "document", "text": "", "upload": big_upload()},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == url
    shown = [str(message) for message in response.context["messages"]]
    assert any("存储" in message for message in shown), shown
    assert not DossierEntry.objects.filter(person=person_a, kind="document").exists()
    assert not [p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()]


def test_documents_still_store_normally(person_a):
    entry = services.dossier_document_add(person=person_a, user=None, upload=pdf_upload())
    assert Path(entry.document.path).read_bytes().startswith(b"%PDF")
    image = services.dossier_document_add(person=person_a, user=None, upload=png_upload())
    assert Path(image.document.path).exists()
    # No partial files are left next to the stored ones.
    assert not list(Path(entry.document.path).parent.glob(".partial-*"))
