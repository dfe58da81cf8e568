"""Phone numbers: one canonical form, one validator, one mask, used by every app.

Which numbers exist (mobile prefixes, area codes, lengths) is decided by the
``phonenumbers`` library, Google's libphonenumber metadata; this module only decides
what the portal accepts and how it stores it:

* mainland mobiles as 11 ASCII digits (``13800138000``);
* Vietnamese mobiles in E.164 (``+84912345678``);
* station and organisation phones as typed, without separators (``07702800001``).
"""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberType

# The region a number without a country code belongs to.
HOME_REGION = "CN"
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# What is left once separators are gone: ASCII digits and one optional leading +.
DIALABLE = re.compile(r"\A\+?[0-9]+\Z")
# Landlines: 7–15 digits before phonenumbers checks the number exists.
LANDLINE = re.compile(r"\A\+?[0-9]{7,15}\Z")

INVALID_MOBILE = _(
    "Enter a mainland mobile number (11 digits, e.g. 13800138000) "
    "or a Vietnamese number starting with +84."
)
INVALID_LANDLINE = _(
    "Enter a phone number with its area code (e.g. 0770-1234567), or one starting with +."
)


def _clean(value: str) -> str:
    # Full-width digits and plus signs become ASCII; spaces, dashes, dots and brackets go.
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return re.sub(r"[\s\-().]", "", text)


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    # Only ASCII digits get this far: phonenumbers would read Arabic-Indic digits and
    # drop trailing junk, and the stored form must be exactly what was checked.
    if not DIALABLE.match(text):
        return None
    try:
        number = phonenumbers.parse(text, HOME_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def normalize_mobile(value: str) -> str:
    """Return the canonical form of a mainland (13800138000) or Vietnamese (+84…) mobile.

    Accepts full-width digits, spaces and dashes, a +86/0086 prefix for mainland numbers
    and +84/0084 (with or without the trunk 0 after it) for Vietnamese ones; raises
    ValidationError for anything else, including landlines and unassigned prefixes.
    """
    text = _clean(value)
    if text.startswith("0086"):
        text = text[4:]
    elif text.startswith("+86"):
        text = text[3:]
    if text.startswith("0084"):
        text = "+84" + text[4:]
    if text.startswith("+84") and text[3:4] == "0":
        text = "+84" + text[4:]
    number = _parse(text)
    if number is not None and phonenumbers.number_type(number) in MOBILE_TYPES:
        region = phonenumbers.region_code_for_number(number)
        national = str(number.national_number)
        # Mainland: exactly the 11 digits that were typed (no trunk 0, no extension).
        if region == HOME_REGION and text == national and len(national) == 11:
            return national
        if region == "VN" and text.startswith("+84"):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise ValidationError(INVALID_MOBILE, code="invalid_phone")


def normalize_landline(value: str) -> str:
    """Return a dialable phone (ASCII digits, optional leading +) or raise ValidationError.

    The number must exist for ``phonenumbers``: a mainland landline needs its area code
    (0770-2800001), mobiles and 400 numbers are fine, foreign ones need their +country code.
    It is stored as typed, without separators: 0770-2800001 becomes 07702800001.
    """
    text = _clean(value)
    if LANDLINE.match(text) and _parse(text) is not None:
        return text
    raise ValidationError(INVALID_LANDLINE, code="invalid_phone")


def tel_uri(phone: str) -> str:
    """Return ``phone`` as the target of a tel: link: ASCII digits and a leading + only.

    Templates write ``href="tel:{{ … }}"``; this gives what follows the colon. Full-width
    digits count, separators and anything else go, and a + is kept only in front.
    """
    text = unicodedata.normalize("NFKC", str(phone or ""))
    kept = [ch for ch in text if ch in "+0123456789"]
    digits = "".join(ch for ch in kept if ch != "+")
    return ("+" if kept and kept[0] == "+" else "") + digits


def mask(value: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """Mask the middle of a phone or certificate number: 13800138000 → 138****8000.

    Values too short to keep start and end with at least four hidden characters are masked
    harder: at most a third of their characters stay visible.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return ""
    if len(text) >= keep_start + keep_end + 4:
        start, end = keep_start, keep_end
    else:
        visible = len(text) // 3
        start = (visible + 1) // 2
        end = visible - start
    hidden = len(text) - start - end
    return text[:start] + "*" * hidden + (text[len(text) - end :] if end else "")
