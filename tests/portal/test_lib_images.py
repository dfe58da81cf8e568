"""portal.lib.images: bounded decoding and renditions without any metadata segment."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portal.lib import images


def jpeg(size, **options) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(buffer, "JPEG", **options)
    return SimpleUploadedFile("photo.jpg", buffer.getvalue())


def test_big_jpeg_is_decoded_at_a_reduced_scale_yet_renditions_are_full_size(monkeypatch):
    upload = jpeg((6400, 4800))
    decoded = []
    real_load = Image.Image.load

    def load(self):
        result = real_load(self)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(Image.Image, "load", load)
    processed = images.process_image(upload)
    # libjpeg decoded 1/4 of each side, not 30 megapixels.
    assert max(w * h for w, h in decoded) <= 1600 * 1200
    with Image.open(BytesIO(processed.files["large"].read())) as large:
        assert max(large.size) == 1600
    assert (processed.width, processed.height) == (6400, 4800)


def test_orientation_swaps_the_reported_size():
    exif = Image.Exif()
    exif[images.ORIENTATION] = 6
    processed = images.process_image(jpeg((800, 600), exif=exif))
    assert (processed.width, processed.height) == (600, 800)


def test_png_and_webp_have_the_lower_full_decode_bound():
    buffer = BytesIO()
    Image.new("1", (5000, 4000)).save(buffer, "PNG")
    with pytest.raises(ValidationError) as refused:
        images.inspect_image(SimpleUploadedFile("x.png", buffer.getvalue()))
    assert refused.value.code == "too_many_pixels"
    # The same size as a JPEG (a phone photo) is accepted.
    assert images.inspect_image(jpeg((5000, 4000)))[0] == "JPEG"


def test_strip_jpeg_segments_keeps_the_picture():
    buffer = BytesIO()
    Image.new("RGB", (32, 32), (0, 200, 0)).save(buffer, "JPEG", comment=b"hello")
    stripped = images.strip_jpeg_segments(buffer.getvalue())
    assert b"hello" not in stripped and b"JFIF" not in stripped
    with Image.open(BytesIO(stripped)) as image:
        image.load()
        assert image.getpixel((16, 16))[1] > 150
    with pytest.raises(ValueError):
        images.strip_jpeg_segments(b"not a jpeg")
