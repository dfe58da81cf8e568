"""Station addresses from Chinese names: the pinyin of the name, unique, still editable."""

from django.utils.text import slugify
from pypinyin import lazy_pinyin

# Room for a "-12" suffix inside the field's 200 characters, and short enough to read out.
MAX_LENGTH = 80


def slug_base(name: str) -> str:
    """Return the name's pinyin as an address part: 东兴口岸司机之家 → dongxing-kouan-…

    Each Chinese character gives its syllable (joined with hyphens); Latin letters and
    digits are kept, everything else separates words. Empty only for a name with neither.
    """
    syllables = lazy_pinyin(name or "")
    text = slugify(" ".join(syllables))
    return text[:MAX_LENGTH].strip("-")


def slug_unique(name: str, *, taken) -> str:
    """Return ``slug_base(name)`` or, when ``taken(slug)`` says it is used, the first free
    ``…-2``, ``…-3``; "station" stands in for a name without letters."""
    base = slug_base(name) or "station"
    candidate, number = base, 1
    while taken(candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate
