"""Unified social credit codes (统一社会信用代码, GB 32100-2015): format and check character."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The 31 characters the standard uses: digits and capitals without I, O, S, V and Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PATTERN = re.compile(r"\A[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}\Z")


def check_character(body: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_credit_code(value: str) -> str:
    """Return the code in canonical form (ASCII capitals) or raise ValidationError.

    Full-width characters and lower case are accepted and converted; spaces are dropped.
    """
    text = unicodedata.normalize("NFKC", str(value or "")).replace(" ", "").upper()
    if not PATTERN.match(text):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital "
                "letters except I, O, S, V and Z."
            ),
            code="credit_code_format",
        )
    if check_character(text[:17]) != text[17]:
        raise ValidationError(
            _("This unified social credit code is mistyped: its check character does not match."),
            code="credit_code_check",
        )
    return text


def validate_credit_code(value: str) -> None:
    """Model-field validator: the stored value must already be canonical and valid."""
    if normalize_credit_code(value) != value:
        raise ValidationError(
            _("Enter the unified social credit code in capitals without spaces."),
            code="credit_code_format",
        )
