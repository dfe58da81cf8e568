"""Phone numbers: one canonical form, one validator, one mask, used by every app."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Mainland mobile: 11 ASCII digits starting 13–19. Vietnamese: +84 then 9 or 10 digits.
MAINLAND_MOBILE = re.compile(r"\A1[3-9][0-9]{9}\Z")
VIETNAM = re.compile(r"\A\+84[0-9]{9,10}\Z")
# Landlines shown for stations and organisations: digits, one optional leading +, 7–15 digits.
LANDLINE = re.compile(r"\A\+?[0-9]{7,15}\Z")

INVALID_MOBILE = _(
    "Enter a mainland mobile number (11 digits, e.g. 13800138000) "
    "or a Vietnamese number starting with +84."
)


def _clean(value: str) -> str:
    # Full-width digits and plus signs become ASCII; spaces, dashes, dots and brackets go.
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    return re.sub(r"[\s\-().]", "", text)


def normalize_mobile(value: str) -> str:
    """Return the canonical form of a mainland (13800138000) or Vietnamese (+84…) mobile.

    Accepts full-width digits, spaces and dashes, a +86/0086 prefix for mainland numbers
    and 0084/84/0-leading forms for Vietnamese ones; raises ValidationError otherwise.
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
    if MAINLAND_MOBILE.match(text) or VIETNAM.match(text):
        return text
    raise ValidationError(INVALID_MOBILE, code="invalid_phone")


def normalize_landline(value: str) -> str:
    """Return a dialable phone (ASCII digits, optional leading +) or raise ValidationError."""
    text = _clean(value)
    if LANDLINE.match(text):
        return text
    raise ValidationError(
        _("Enter a phone number of 7 to 15 digits, optionally starting with +."),
        code="invalid_phone",
    )


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
