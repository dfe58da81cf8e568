"""Phones and images: the shared rules every app's forms rely on."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.lib import images, phones


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("13800138000", "13800138000"),
        ("13８00138000", "13800138000"),  # full-width digit
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("+84 912 345 678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("+84 0912345678", "+84912345678"),
    ],
)
def test_normalize_mobile_accepts_and_canonicalises(raw, canonical):
    assert phones.normalize_mobile(raw) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12800138000",
        "1380013800",
        "138001380000",
        "١٣٨٠٠١٣٨٠٠٠",
        "+1 555 0100",
        "abc",
        "13800138000\x00",
    ],
)
def test_normalize_mobile_refuses(raw):
    with pytest.raises(ValidationError):
        phones.normalize_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13800138000", "138****8000"),
        ("+84912345678", "+84*****5678"),
        ("110101199003071234", "110***********1234"),
        ("1234567", "1*****7"),
        ("12", "**"),
        ("1", "*"),
        ("", ""),
        ("１３８００１３８０００", "138****8000"),
    ],
)
def test_mask_hides_the_middle(raw, masked):
    assert phones.mask(raw) == masked


def _image_bytes(fmt="JPEG", size=(64, 48), exif=None):
    buffer = BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def test_process_image_strips_gps_and_applies_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° on display
    exif[0x8825] = {1: "N", 2: (21.0, 36.0, 0.0)}  # GPS
    upload = SimpleUploadedFile("photo.jpg", _image_bytes(exif=exif), "image/jpeg")
    result = images.process_image(upload)
    with Image.open(BytesIO(result.files["large"].read())) as out:
        assert out.size == (48, 64)  # rotated
        assert not out.getexif()


def test_process_image_refuses_a_decompression_bomb_before_decoding():
    buffer = BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")  # 60 Mpx, a few KiB
    upload = SimpleUploadedFile("bomb.png", buffer.getvalue(), "image/png")
    assert upload.size < 100_000
    with pytest.raises(ValidationError) as excinfo:
        images.process_image(upload)
    assert excinfo.value.code == "too_many_pixels"


@pytest.mark.parametrize(
    "content",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a....",
        b"%PDF-1.4",
    ],
)
def test_process_image_refuses_what_is_not_jpeg_png_or_webp(content):
    with pytest.raises(ValidationError):
        images.process_image(SimpleUploadedFile("photo.jpg", content, "image/jpeg"))


def test_process_image_makes_small_and_large_renditions():
    upload = SimpleUploadedFile("p.webp", _image_bytes("WEBP", (2000, 1000)), "image/webp")
    result = images.process_image(upload)
    with Image.open(result.files["small"]) as small:
        assert max(small.size) == 480
    with Image.open(result.files["large"]) as large:
        assert max(large.size) == 1600


@pytest.mark.parametrize("stored", ["", "13800138000", "+84912345678"])
def test_canonical_mobiles_pass_the_model_check(stored):
    from members.phones import validate_canonical_mobile

    validate_canonical_mobile(stored)


@pytest.mark.parametrize(
    "stored", ["138 0013 8000", "+8613800138000", "+840912345678", "12800138000"]
)
def test_non_canonical_stored_mobiles_fail_the_model_check(stored):
    from members.phones import validate_canonical_mobile

    with pytest.raises(ValidationError) as excinfo:
        validate_canonical_mobile(stored)
    assert excinfo.value.messages == [str(phones.INVALID_MOBILE)]
