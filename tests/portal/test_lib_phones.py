"""portal.lib.phones: canonical mobiles, station landlines, tel: targets, masks."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.lib import phones


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("１３８００１３８０００", "13800138000"),  # all full-width
        ("＋８６ １３８ ００１３ ８０００", "13800138000"),  # full-width plus too
        ("+8613800138000", "13800138000"),
        ("+86 (138) 0013.8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("14500000000", "14500000000"),
        ("19912345678", "19912345678"),
        ("+84900000001", "+84900000001"),
        ("+84-912-345-678", "+84912345678"),
        ("＋８４ ９１２ ３４５ ６７８", "+84912345678"),
    ],
)
def test_normalize_mobile_canonical_forms(raw, canonical):
    assert phones.normalize_mobile(raw) == canonical
    # The canonical form is a fixed point: the model check relies on it.
    assert phones.normalize_mobile(canonical) == canonical


@pytest.mark.parametrize(
    "raw",
    [
        "12012345678",  # 12x is no mainland mobile prefix
        "12912345678",
        "11012345678",
        "14000000000",  # inside 1[3-9] but not assigned
        "013800138000",  # trunk 0 in front of a mobile
        "+86 0770 2800001",  # a mainland landline is not a mobile
        "07702800001",
        "+8612800138000",
        "84912345678",  # Vietnamese without + or 00
        "0912345678",
        "+84 123 456 789",  # no Vietnamese mobile range
        "+84 24 1234 5678",  # Hanoi landline
        "+84 9123 456 789",  # one digit too many
        "+84 91234567",  # one too few
        "+44 7700 900123",
        "1380013800O",  # letter O
        "13800138000 ext 1",
        "+",
    ],
)
def test_normalize_mobile_refuses_what_is_no_mobile(raw):
    with pytest.raises(ValidationError) as excinfo:
        phones.normalize_mobile(raw)
    assert excinfo.value.code == "invalid_phone"
    assert excinfo.value.messages == [str(phones.INVALID_MOBILE)]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0770-2800001", "07702800001"),
        ("0770 280 0001", "07702800001"),
        ("(0770) 2800001", "07702800001"),
        ("０７７０－２８００００１", "07702800001"),
        ("07702800001", "07702800001"),
        ("020-12345678", "02012345678"),
        ("+86 770 2800001", "+867702800001"),
        ("13800138000", "13800138000"),
        ("400-800-1234", "4008001234"),
        ("+84 912 345 678", "+84912345678"),
    ],
)
def test_normalize_landline_keeps_the_typed_digits(raw, stored):
    assert phones.normalize_landline(raw) == stored
    assert phones.normalize_landline(stored) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "2800001",  # no area code
        "0770-28000012",  # too long for the area
        "0770-280001",  # too short
        "1234567890123456",
        "+999 1234567",
        "٠٧٧٠٢٨٠٠٠٠١",  # Arabic-Indic digits
        "07702800001\x00",
        "0770-2800001 转 8",
        "tel:07702800001",
    ],
)
def test_normalize_landline_refuses(raw):
    with pytest.raises(ValidationError) as excinfo:
        phones.normalize_landline(raw)
    assert excinfo.value.code == "invalid_phone"


def test_error_messages_keep_their_catalogue_msgids():
    with translation.override("en"):
        assert str(phones.INVALID_MOBILE) == (
            "Enter a mainland mobile number (11 digits, e.g. 13800138000) "
            "or a Vietnamese number starting with +84."
        )
        assert str(phones.INVALID_LANDLINE) == (
            "Enter a phone number with its area code (e.g. 0770-1234567), or one starting with +."
        )


@pytest.mark.parametrize(
    ("raw", "target"),
    [
        ("0770-2800001", "07702800001"),
        ("07702800001", "07702800001"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("(+86) 770-2800001", "+867702800001"),
        ("０７７０ １２３４５", "077012345"),
        ("110", "110"),
        ("1+2", "12"),  # a + that is not in front goes
        ("0770-2800001 转 8", "077028000018"),
        ('07702800001"><script>', "07702800001"),
        ("", ""),
        (None, ""),
    ],
)
def test_tel_uri_keeps_digits_and_a_leading_plus(raw, target):
    assert phones.tel_uri(raw) == target


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+84912345678", "+84*****5678"),
        ("13800138000", "138****8000"),
        ("07702800001", "077****0001"),
        ("１３８００１３８０００", "138****8000"),
        ("123456", "1****6"),
        ("abc", "a**"),
    ],
)
def test_mask_output(raw, masked):
    assert phones.mask(raw) == masked


def test_mask_keeps_what_is_asked():
    assert phones.mask("13800138000", keep_start=0, keep_end=2) == "*********00"
