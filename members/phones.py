"""Model-level phone check: stored numbers are already canonical (see portal.lib.phones)."""

from django.core.exceptions import ValidationError

from portal.lib.phones import INVALID_MOBILE, normalize_mobile


def validate_canonical_mobile(value: str) -> None:
    """Refuse a stored phone that is not exactly its canonical form (ASCII digits)."""
    if not value:
        return
    try:
        canonical = normalize_mobile(value)
    except ValidationError:
        raise ValidationError(INVALID_MOBILE, code="invalid_phone") from None
    if canonical != value:
        raise ValidationError(INVALID_MOBILE, code="invalid_phone")
